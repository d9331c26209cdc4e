import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { join, relative } from 'node:path';
import { load, type LoadResult } from './load';
import { formatTable, summarize, toResult, writeResults, type ScenarioResult } from './report';
import { SCENARIOS, type Scenario } from './scenarios';
import { killAllServersNow, REPO_ROOT, startServer, stopAllServers, type RunningServer } from './servers';
import { PIN, PINNED_MARKER, readSettings, shouldPin, type BenchSettings } from './settings';

/** Where the figures of the last run go (overwritten by every run). */
const RESULTS_FILE = join(REPO_ROOT, 'bench', 'results', 'latest.json');

/**
 * `npm run bench -- [scenario…]`: runs the named scenarios (all when none is
 * named), prints a table per scenario and writes {@link RESULTS_FILE}.
 * Exits 2 on an unknown scenario or a bad BENCH_* variable.
 */
async function main(argv: readonly string[]): Promise<number> {
  const known = Object.keys(SCENARIOS);
  const names = argv.length > 0 ? argv : known;
  const unknown = names.filter((name) => !Object.hasOwn(SCENARIOS, name));
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
      (pinned ? `servers on core ${PIN.serverCore}, load generator on core ${PIN.loadCore}` : 'not pinned'),
  );
  const results: ScenarioResult[] = [];
  for (const name of names) {
    results.push(await runScenario(name, SCENARIOS[name], settings, pinned));
    writeResults(RESULTS_FILE, results);
  }
  console.log(`\nwrote ${relative(process.cwd(), RESULTS_FILE)}`);
  return 0;
}

/**
 * Starts the target and its baselines, then loads each in turn for every
 * round (interleaved, so that drift hits all alike), and reduces the rounds
 * to medians. The servers are stopped however it ends.
 */
async function runScenario(name: string, scenario: Scenario, settings: BenchSettings, pinned: boolean): Promise<ScenarioResult> {
  console.log(`\n${name}: ${scenario.description}`);
  const pinCore = pinned ? PIN.serverCore : undefined;
  const servers: RunningServer[] = [];
  try {
    servers.push(await startServer(scenario.target, { pinCore, env: scenario.targetEnv }));
    for (const baseline of scenario.baselines) servers.push(await startServer(baseline, { pinCore }));
    const rounds = servers.map((): LoadResult[] => []);
    for (let round = 1; round <= settings.rounds; round++) {
      for (const [i, server] of servers.entries()) {
        const options = { url: server.url, paths: scenario.paths, connections: settings.connections };
        const warmupS = round === 1 ? settings.firstWarmupS : settings.warmupS;
        if (warmupS > 0) await load({ ...options, durationS: warmupS });
        const result = await load({ ...options, durationS: settings.durationS });
        rounds[i].push(result);
        console.log(
          `  round ${round}/${settings.rounds}  ${server.name.padEnd(18)} ${result.rps.toFixed(0).padStart(7)} rps` +
            `  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms  ${result.errors} errors`,
        );
      }
    }
    const [target, ...baselines] = rounds.map(summarize);
    const byName = new Map(scenario.baselines.map((baseline, i) => [baseline, baselines[i]]));
    console.log(`\n${formatTable(name, target, byName)}`);
    return toResult(name, target, byName);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
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
