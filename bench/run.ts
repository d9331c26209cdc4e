import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { join, relative } from 'node:path';
import { formatCpuUse } from './cpu';
import { load, type BenchRequest, type LoadResult } from './load';
import { openLoop, type OpenLoopResult } from './open-loop';
import { formatCounts, probe } from './probe';
import {
  formatTable,
  median,
  mergeStarts,
  roundRatios,
  summarize,
  summarizeAtRate,
  toResult,
  writeResults,
  type AtRateResult,
  type ScenarioResult,
} from './report';
import { runOverload, type OverloadResult } from './overload';
import { OVERLOAD_SCENARIOS, SCENARIOS, type Scenario } from './scenarios';
import { killAllServersNow, REPO_ROOT, startServer, stopAllServers, WRITE_SCHEMAS, type RunningServer, type ServerName } from './servers';
import { ThrowawayRedisCluster } from '../test/support/redis-cluster';
import { closeWriteStats, flushLagP99Ms, settledVersions } from './write-stats';
import { PIN, PINNED_MARKER, readSettings, shouldPin, type BenchSettings, type LoadGenerator } from './settings';

/** Where the figures of the last run go (overwritten by every run). */
const RESULTS_FILE = join(REPO_ROOT, 'bench', 'results', 'latest.json');

/** Where `BENCH_CPU_PROF=1` has the targets write their CPU profiles. */
const PROFILE_DIR = join(REPO_ROOT, 'bench', 'results', 'profiles');

/**
 * `npm run bench -- [scenario…]`: runs the named scenarios (all when none is
 * named), prints a table per scenario and writes {@link RESULTS_FILE}.
 * Exits 2 on an unknown scenario or a bad BENCH_* variable.
 */
async function main(argv: readonly string[]): Promise<number> {
  const known = [...Object.keys(SCENARIOS), ...Object.keys(OVERLOAD_SCENARIOS)];
  const names = argv.length > 0 ? argv : known;
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    fail(`Unknown scenario: ${unknown.join(', ')}. Known scenarios: ${known.join(', ')}.\nUsage: npm run bench -- [scenario…]`);
    return 2;
  }
  let settings: BenchSettings;
  try {
    settings = readSettings(process.env);
  } catch (error) {
    fail((error as Error).message);
    return 2;
  }
  if (shouldPin(process.env)) return runPinned();

  const pinned = process.env[PINNED_MARKER] === '1';
  installSignalHandlers();
  console.log(
    `bench: ${settings.rounds} rounds × ${settings.durationS} s per server ` +
      `(warm-up ${settings.firstWarmupS} s before round 1, ${settings.warmupS} s before the others), ` +
      `${settings.connections} connections, ` +
      (pinned ? `servers on core ${PIN.serverCore}, load generator on core ${PIN.loadCore}` : 'not pinned') +
      `, reads loaded by ${settings.loadGenerator}` +
      (settings.loadGenerator === 'autocannon' ? ' (wrk caps fast servers less: apt install wrk)' : '') +
      (settings.cpuProfile ? `; targets profiled into ${relative(process.cwd(), PROFILE_DIR)}` : ''),
  );
  const results: Array<ScenarioResult | OverloadResult> = [];
  for (const name of names) {
    const overload = OVERLOAD_SCENARIOS[name];
    if (overload) results.push(await runOverload(name, overload, settings, pinned));
    else results.push(await runStarts(name, SCENARIOS[name], settings, pinned));
    writeResults(RESULTS_FILE, results);
  }
  await closeWriteStats();
  console.log(`\nwrote ${relative(process.cwd(), RESULTS_FILE)}`);
  return 0;
}

/** {@link runScenario} `settings.starts` times, each with fresh servers; the ratios are the medians over the starts. */
async function runStarts(name: string, scenario: Scenario, settings: BenchSettings, pinned: boolean): Promise<ScenarioResult> {
  if (settings.starts === 1) return runScenario(name, scenario, settings, pinned);
  const runs: ScenarioResult[] = [];
  for (let start = 1; start <= settings.starts; start++) {
    console.log(`\n${name}: start ${start} of ${settings.starts}`);
    runs.push(await runScenario(name, scenario, settings, pinned));
  }
  const merged = mergeStarts(runs);
  for (const [baseline, ratio] of Object.entries(merged.ratios)) {
    const each = runs.map((run) => run.per_core_ratios?.[baseline] ?? run.ratios[baseline]).join(', ');
    console.log(
      `  over ${runs.length} starts vs ${baseline}: ratio ${ratio}, per core ${merged.per_core_ratios?.[baseline] ?? '-'} (each start, per core: ${each})`,
    );
  }
  return merged;
}

/**
 * Starts the target and its baselines, primes them when the scenario asks,
 * then loads each in turn for every round (interleaved, so that drift hits
 * all alike), and reduces the rounds to medians. The servers are stopped
 * however it ends.
 */
async function runScenario(name: string, scenario: Scenario, settings: BenchSettings, pinned: boolean): Promise<ScenarioResult> {
  console.log(`\n${name}: ${scenario.description}`);
  const pinCore = pinned ? PIN.serverCore : undefined;
  const items = scenario.itemsPerRequest ?? 1;
  const generator = generatorOf(scenario, settings);
  const servers: RunningServer[] = [];
  const helpers: RunningServer[] = [];
  const alongside = scenario.alongside;
  let cluster: ThrowawayRedisCluster | undefined;
  try {
    if (scenario.clusterServers?.length) {
      cluster = await ThrowawayRedisCluster.start();
      console.log(`  a Redis Cluster of ${cluster.nodes.length} nodes for ${scenario.clusterServers.join(', ')}: ${cluster.nodesVar}`);
    }
    /** The env of server `name` in this scenario: its own, the cluster's nodes when it runs on it, the helpers' URLs. */
    const envOf = (name: ServerName, own: Readonly<Record<string, string>> | undefined): Record<string, string> => ({
      ...own,
      ...(cluster && scenario.clusterServers?.includes(name) ? { REDIS_CLUSTER_NODES: cluster.nodesVar } : {}),
    });
    // Helper servers (a slow downstream): not pinned, not measured; their URLs go to every server's env.
    const dependencyEnv: Record<string, string> = {};
    for (const dependency of scenario.dependencies ?? []) {
      const helper = await startServer(dependency.server);
      helpers.push(helper);
      dependencyEnv[dependency.urlEnv] = helper.url;
    }
    // One folder per run, each process's profile named by node (CPU.<date>.<time>.<pid>…): a target that
    // forks (APP_PROCESSES, node:cluster) passes the flags on, and one fixed name made its processes overwrite each other's.
    const nodeArgs = settings.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${join(PROFILE_DIR, `${name}-${scenario.target}-${Date.now()}`)}`] : [];
    servers.push(await startServer(scenario.target, { pinCore, env: { ...envOf(scenario.target, scenario.targetEnv), ...dependencyEnv }, nodeArgs }));
    for (const baseline of scenario.baselines)
      servers.push(await startServer(baseline, { pinCore, env: { ...envOf(baseline, scenario.baselineEnv?.[baseline]), ...dependencyEnv } }));
    const pathsOf = (i: number): readonly string[] => (i === 0 ? scenario.paths : (scenario.baselinePaths?.[scenario.baselines[i - 1]] ?? scenario.paths));
    if (scenario.prime) {
      for (const [i, server] of (scenario.prime === 'target' ? servers.slice(0, 1) : servers).entries()) {
        const primed = await probe(server.url, pathsOf(i));
        const failed = primed.requests - (primed.statuses['200'] ?? 0);
        console.log(`  primed ${server.name.padEnd(22)} ${primed.requests} paths: ${formatCounts(primed.statuses)}`);
        if (failed > 0) throw new Error(`priming ${server.name}: ${failed} of ${primed.requests} requests did not answer 200`);
      }
    }
    if (alongside?.prime) {
      for (const server of servers) {
        const primed = await probe(server.url, alongside.paths);
        const failed = primed.requests - (primed.statuses['200'] ?? 0);
        console.log(`  primed ${server.name.padEnd(22)} ${primed.requests} paths of ${alongside.label}: ${formatCounts(primed.statuses)}`);
        if (failed > 0) throw new Error(`priming ${server.name}: ${failed} of ${primed.requests} requests did not answer 200`);
      }
    }
    // Helpers' CPU is part of the system under test: reported apart, not counted as other processes.
    const helperPids = helpers.flatMap((helper) => (helper.pid === undefined ? [] : [helper.pid]));
    const rounds = servers.map((): LoadResult[] => []);
    const alongsideRounds = servers.map((): LoadResult[] => []);
    // The alongside load runs during the same seconds as the main one, on the same server.
    const side = (url: string, durationS: number): Promise<LoadResult | undefined> =>
      alongside
        ? load({ url, paths: alongside.paths, connections: alongside.connections, durationS, generator: settings.loadGenerator })
        : Promise.resolve(undefined);
    const rowsPerS = servers.map((): number[] => []);
    const lags: number[] = [];
    for (let round = 1; round <= settings.rounds; round++) {
      for (const [i, server] of servers.entries()) {
        const options = {
          url: server.url,
          paths: pathsOf(i),
          requests: writesOf(scenario, server.name),
          connections: settings.connections,
          tallyHeader: scenario.tallyHeader,
          generator,
        };
        const warmupS = round === 1 ? settings.firstWarmupS : settings.warmupS;
        if (warmupS > 0) await Promise.all([load({ ...options, durationS: warmupS }), side(server.url, warmupS)]);
        const schema = scenario.writes ? schemaOf(server.name) : undefined;
        // A write measurement starts with the warm-up's writes landed, and ends once its own have.
        const before = schema ? (await settledVersions(schema)).versions : 0;
        const [result, sideResult] = await Promise.all([
          load({ ...options, durationS: settings.durationS, serverPid: server.pid, helperPids }),
          side(server.url, settings.durationS),
        ]);
        rounds[i].push(result);
        if (sideResult) alongsideRounds[i].push(sideResult);
        if (schema) {
          const { versions, waitedMs } = await settledVersions(schema);
          rowsPerS[i].push(Math.round((versions - before) / (settings.durationS + waitedMs / 1000)));
          if (i === 0) lags.push(await flushLagP99Ms(helpers.find((helper) => helper.name === scenario.flushLagFrom)?.url ?? server.url));
          console.log(
            `    rows landed: ${versions - before} (${rowsPerS[i].at(-1)} rows/s, ${waitedMs} ms to settle)${i === 0 ? `, flush lag p99 ${lags.at(-1)} ms` : ''}`,
          );
        }
        const products = i === 0 && items > 1 ? ` (${(result.rps * items).toFixed(0)} products/s)` : '';
        const header = result.headerValues ? `  ${scenario.tallyHeader}: ${formatCounts(result.headerValues)}` : '';
        console.log(
          `  ${clock()} round ${round}/${settings.rounds}  ${server.name.padEnd(22)} ${result.rps.toFixed(0).padStart(7)} rps${products}` +
            `  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms  ${result.errors} errors  cpu: ${formatCpuUse(result.cpu, generator)}${header}` +
            (busyMachine(result) ? '  << BUSY: other processes ran' : ''),
        );
        if (sideResult) {
          console.log(
            `           alongside: ${alongside!.label.padEnd(22)} ${sideResult.rps.toFixed(0).padStart(7)} rps  p50 ${sideResult.p50Ms} ms  p99 ${sideResult.p99Ms} ms  ${sideResult.errors} errors`,
          );
        }
      }
    }
    const atRate = scenario.atSaturationOf ? await runAtRate(scenario, servers, helperPids, rounds, settings) : undefined;
    const check = scenario.afterCheck;
    if (check) {
      const seen = await probe(servers[0].url, check.paths, check.header);
      const matching = seen.headerValues[check.expect] ?? 0;
      console.log(
        `  after the rounds, ${seen.requests} GETs of the target: ${check.header}: ${formatCounts(seen.headerValues)}; status: ${formatCounts(seen.statuses)}` +
          (matching === seen.requests ? '' : `\n  WARNING: ${seen.requests - matching} responses without ${check.header}: ${check.expect}`),
      );
    }
    const busy = rounds.flat().filter(busyMachine).length;
    if (busy > 0) console.log(`  WARNING: other processes used over ${OTHERS_LIMIT * 100} % of a core in ${busy} of ${rounds.flat().length} measurements`);
    const [target, ...baselines] = rounds.map(summarize);
    if (scenario.tallyHeader && target.headerValues) {
      const total = Object.values(target.headerValues).reduce((a, b) => a + b, 0);
      console.log(`  measured responses of the target by ${scenario.tallyHeader}: ${formatCounts(target.headerValues)} (of ${total})`);
    }
    const byName = new Map(scenario.baselines.map((baseline, i) => [baseline, baselines[i]]));
    console.log(`\n${formatTable(name, target, byName, items)}`);
    const perRound = roundRatios(rounds[0], rounds.slice(1), scenario.baselines, items);
    const ratioLine = (label: string, ratios: Record<string, number> | undefined): string =>
      `  ${label}: ${Object.entries(ratios ?? {})
        .map(([b, r]) => `${b} ${r.toFixed(3)}`)
        .join(' · ')}`;
    console.log(ratioLine('paired (median of per-round ratios)', perRound.paired_ratios));
    console.log(ratioLine('per core of server CPU (median of per-round ratios)', perRound.per_core_ratios));
    let result: ScenarioResult = { ...toResult(name, generator, target, byName, items), ...perRound };
    if (alongside) {
      const [sideTarget, ...sideBaselines] = alongsideRounds.map(summarize);
      const sideByName = new Map(scenario.baselines.map((baseline, i) => [baseline, sideBaselines[i]]));
      console.log(`\nalongside, ${alongside.label} (${alongside.connections} connections):\n${formatTable(scenario.target, sideTarget, sideByName)}`);
      result = { ...result, alongside: toResult(alongside.label, settings.loadGenerator, sideTarget, sideByName) };
    }
    if (atRate) result = { ...result, at_rate: atRate };
    if (!scenario.writes) return result;
    const rows = rowsPerS.map(median);
    const landed = servers.flatMap((s, i) => (schemaOf(s.name) ? [`${s.name} ${rows[i]}`] : []));
    console.log(`  rows/s landed: ${landed.join(', ')}; target flush lag p99 ${median(lags)} ms`);
    return {
      ...result,
      rows_per_s: rows[0],
      // Only against baselines that write rows (nest-put-noop stores nothing).
      rows_per_s_ratios: Object.fromEntries(
        scenario.baselines.flatMap((b, i) => (schemaOf(b) ? [[b, Math.round((rows[0] / rows[i + 1]) * 1000) / 1000]] : [])),
      ),
      flush_lag_ms: median(lags),
      baselines: Object.fromEntries(
        Object.entries(result.baselines).map(([b, figures], i) => [b, schemaOf(b) ? { ...figures, rows_per_s: rows[i + 1] } : figures]),
      ),
    };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await Promise.all(helpers.map((helper) => helper.stop()));
    await cluster?.stop();
  }
}

/**
 * The fixed-rate phase of a write scenario (`atSaturationOf`): the rate is the
 * median closed-loop rps of that server; every server is loaded at it, open
 * loop, once per round (interleaved), each measurement starting once the
 * writes of the one before have landed.
 */
async function runAtRate(
  scenario: Scenario,
  servers: readonly RunningServer[],
  helperPids: readonly number[],
  rounds: ReadonlyArray<readonly LoadResult[]>,
  settings: BenchSettings,
): Promise<AtRateResult> {
  const at = servers.findIndex((server) => server.name === scenario.atSaturationOf);
  if (at < 0) throw new Error(`atSaturationOf: ${scenario.atSaturationOf} is not a server of the scenario`);
  const writes = scenario.writes;
  if (!writes) throw new Error('atSaturationOf: only write scenarios have a fixed-rate phase');
  const ratePerS = Math.round(median(rounds[at].map((r) => r.rps)));
  console.log(`\n  at a fixed rate: ${ratePerS} requests/s (the median rps of ${scenario.atSaturationOf} above, where it is saturated), open loop`);
  const results = servers.map((): OpenLoopResult[] => []);
  for (let round = 1; round <= settings.rounds; round++) {
    for (const [i, server] of servers.entries()) {
      const schema = schemaOf(server.name);
      if (schema) await settledVersions(schema);
      const result = await openLoop({
        url: server.url,
        requests: writesOf(scenario, server.name) ?? writes,
        ratePerS,
        durationS: settings.durationS,
        connections: settings.connections,
        serverPid: server.pid,
        helperPids,
      });
      results[i].push(result);
      console.log(
        `  ${clock()} round ${round}/${settings.rounds}  ${server.name.padEnd(22)} ${String(result.rps).padStart(7)} rps answered` +
          `  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms  max ${result.maxMs} ms  ${result.errors} errors  cpu: ${formatCpuUse(result.cpu, 'open loop')}`,
      );
    }
  }
  const summary = summarizeAtRate(ratePerS, new Map(servers.map((server, i) => [server.name, results[i]])));
  for (const [name, figures] of Object.entries(summary.servers)) {
    console.log(
      `  at ${ratePerS}/s: ${name.padEnd(22)} p50 ${figures.p50_ms} ms  p99 ${figures.p99_ms} ms  (${figures.rps} rps answered, ${figures.errors} errors)`,
    );
  }
  return summary;
}

/**
 * Re-executes this runner under `taskset -c <load core>` (autocannon runs in
 * this process) and resolves with its exit code. Ctrl-C reaches the copy
 * directly from the terminal; other signals are forwarded.
 */
function runPinned(): Promise<number> {
  const args = ['-c', String(PIN.loadCore), process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  const child = spawn('taskset', args, { stdio: 'inherit', env: { ...process.env, [PINNED_MARKER]: '1' } });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((done) => {
    child.once('error', (error) => {
      fail(`could not start the pinned runner: ${error.message}`);
      done(1);
    });
    child.once('exit', (code, signal) => done(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}

/** Ctrl-C or SIGTERM: stop every server (bounded), then exit 130; any exit SIGKILLs what is left. */
function installSignalHandlers(): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    fail(`\n${signal}: stopping the servers`);
    void stopAllServers().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', killAllServersNow);
}

/** Other processes (not the servers, autocannon, PostgreSQL or Redis) using more of a core than this make a measurement suspect. */
const OTHERS_LIMIT = 0.1;

function busyMachine(result: LoadResult): boolean {
  return (result.cpu.others ?? 0) > OTHERS_LIMIT;
}

/** The writes `server` gets in a write scenario: its own (`baselineWrites`), else the scenario's. */
function writesOf(scenario: Scenario, server: string): readonly BenchRequest[] | undefined {
  return scenario.baselineWrites?.[server as ServerName] ?? scenario.writes;
}

/** The schema whose rows `server` writes (write servers only; `nest-put-noop` stores nothing). */
function schemaOf(server: string): string | undefined {
  return WRITE_SCHEMAS[server as ServerName];
}

/** The load generator that measures `scenario`: writes always use autocannon. */
function generatorOf(scenario: Scenario, settings: BenchSettings): LoadGenerator {
  return scenario.writes ? 'autocannon' : settings.loadGenerator;
}

/** UTC `HH:MM:SS`, to line rounds up with whatever else ran on the machine then. */
function clock(): string {
  return new Date().toISOString().slice(11, 19);
}

function fail(message: string): void {
  process.stderr.write(`${message}\n`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    fail(`bench failed: ${(error as Error)?.stack ?? String(error)}`);
    process.exit(1);
  },
);
