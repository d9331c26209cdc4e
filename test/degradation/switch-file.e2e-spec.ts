import { Logger } from '@nestjs/common';
import { mkdtemp, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { FeatureSwitches } from '../../src/degradation/feature-switches.service';
import { SwitchFileWatcher } from '../../src/degradation/switch-file.watcher';
import { TestFeatureModule } from '../support/degradable-feature.module';
import { startTestApp, waitFor, type TestApp } from '../support/test-app';

jest.setTimeout(30_000);

/**
 * The switches file source (DEGRADATION_SWITCHES_FILE), with the test-only feature module:
 * - the file is read at start and wins over DEGRADATION_SWITCHES;
 * - an in-place write, an atomic rename and a Kubernetes-style ConfigMap symlink swap each take
 *   effect within 1 s;
 * - a malformed file (bad YAML, then an unknown state) is rejected with one error line and the
 *   previous switches stay in force; the next good file applies.
 */
describe('switches file (e2e)', () => {
  let dir: string;
  let t: TestApp;
  const errors: unknown[] = [];
  const switches = () => t.app.get(FeatureSwitches);

  /** Waits until `feature` is `state` and returns the ms it took. */
  async function msUntil(feature: string, state: string): Promise<number> {
    const startedAt = performance.now();
    await waitFor(() => switches().state(feature) === state, 2_000, `${feature} to be ${state}`);
    return performance.now() - startedAt;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bulwark-switches-'));
    await writeFile(join(dir, 'switches.yaml'), 'switches:\n  widgets: fallback\n');
    jest.spyOn(Logger.prototype, 'error').mockImplementation((...args: unknown[]) => void errors.push(args));
    t = await startTestApp({
      modules: [TestFeatureModule],
      env: {
        DEGRADATION_SWITCHES_FILE: join(dir, 'switches.yaml'),
        DEGRADATION_SWITCHES: 'widgets=off,gadgets=fallback',
        DEGRADATION_SHEDDING_ENABLED: 'false',
      },
    });
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is read at start and wins over DEGRADATION_SWITCHES, which still decides what the file leaves out', async () => {
    expect(switches().info('widgets')).toMatchObject({ state: 'fallback', source: 'file', sources: { file: 'fallback', env: 'off', default: 'on' } });
    expect(switches().info('gadgets')).toMatchObject({ state: 'fallback', source: 'env' });
    const res = await t.app.inject({ method: 'GET', url: '/test-feature/widgets' });
    expect({ degraded: res.headers['x-degraded'], body: res.json() }).toEqual({ degraded: 'widgets', body: { source: 'fallback', state: 'fallback' } });
  });

  it('an in-place write takes effect within 1 s', async () => {
    await writeFile(join(dir, 'switches.yaml'), 'switches:\n  widgets: on\n  gizmos: off\n');
    expect(await msUntil('gizmos', 'off')).toBeLessThan(1_000);
    expect(switches().info('widgets')).toMatchObject({ state: 'on', source: 'file' });
    expect((await t.app.inject({ method: 'GET', url: '/test-feature/widgets' })).json()).toEqual({ source: 'handler' });
  });

  it('an atomic replace (write elsewhere, rename over) takes effect within 1 s', async () => {
    await writeFile(join(dir, 'next.tmp'), 'switches:\n  widgets: on\n  gizmos: fallback\n');
    await rename(join(dir, 'next.tmp'), join(dir, 'switches.yaml'));
    expect(await msUntil('gizmos', 'fallback')).toBeLessThan(1_000);
  });

  it('a malformed file is rejected with an error line, and the previous switches stay', async () => {
    const watcher = t.app.get(SwitchFileWatcher);
    const before = switches()
      .list()
      .map(({ feature, state, source }) => ({ feature, state, source }));

    const rejections = watcher.rejections;
    await writeFile(join(dir, 'switches.yaml'), 'switches:\n  widgets: [off\n');
    await waitFor(() => watcher.rejections > rejections, 2_000, 'the bad YAML to be rejected');
    await writeFile(join(dir, 'switches.yaml'), 'switches:\n  widgets: off\n  gizmos: maybe\n');
    await waitFor(() => watcher.rejections > rejections + 1, 2_000, 'the unknown state to be rejected');
    // Two more poll intervals: still rejected, not re-applied, not re-reported.
    await sleep(1_100);
    expect(watcher.rejections).toBe(rejections + 2);
    expect(
      switches()
        .list()
        .map(({ feature, state, source }) => ({ feature, state, source })),
    ).toEqual(before);
    expect(JSON.stringify(errors)).toMatch(/switches file rejected.*gizmos: must be one of on, off, fallback/);

    await writeFile(join(dir, 'switches.yaml'), 'switches:\n  widgets: off\n');
    expect(await msUntil('widgets', 'off')).toBeLessThan(1_000);
    // gizmos left the file: back to its default.
    expect(switches().info('gizmos')).toMatchObject({ state: 'on', source: 'default' });
  });
});

/**
 * A ConfigMap volume: `switches.json` → `..data/switches.json`, `..data` → `..<timestamp>`;
 * kubelet writes a new timestamped directory and renames a fresh `..data` link over the old one.
 */
describe('switches file mounted from a ConfigMap (e2e)', () => {
  let dir: string;
  let t: TestApp;

  async function publish(version: string, json: string): Promise<void> {
    await mkdir(join(dir, version));
    await writeFile(join(dir, version, 'switches.json'), json);
    await symlink(version, join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bulwark-configmap-'));
    await publish('..v1', '{"switches": {"widgets": "off"}}');
    await symlink(join('..data', 'switches.json'), join(dir, 'switches.json'));
    t = await startTestApp({
      modules: [TestFeatureModule],
      env: { DEGRADATION_SWITCHES_FILE: join(dir, 'switches.json'), DEGRADATION_SHEDDING_ENABLED: 'false' },
    });
  });

  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a symlink swap takes effect within 1 s', async () => {
    const switches = t.app.get(FeatureSwitches);
    expect(switches.info('widgets')).toMatchObject({ state: 'off', source: 'file' });
    const startedAt = performance.now();
    await publish('..v2', '{"switches": {"widgets": "fallback"}}');
    await waitFor(() => switches.state('widgets') === 'fallback', 2_000, 'the swapped file to apply');
    expect(performance.now() - startedAt).toBeLessThan(1_000);
  });
});
