import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { hasWrk } from './wrk';

/** How each scenario is measured; every field can be overridden by an env var. */
export interface BenchSettings {
  /** Rounds; each loads every server of the scenario once. `BENCH_ROUNDS`, @default 3 */
  readonly rounds: number;
  /** Seconds of each measurement. `BENCH_DURATION_S`, @default 5 */
  readonly durationS: number;
  /** Seconds of unmeasured load before each measurement of rounds 2+. `BENCH_WARMUP_S`, @default 1 */
  readonly warmupS: number;
  /** The same before round 1, while the JIT, pools and caches warm up (the app needs ~4 s). `BENCH_FIRST_WARMUP_S`, @default 4 */
  readonly firstWarmupS: number;
  /** Concurrent connections of the load generator. `BENCH_CONNECTIONS`, @default 64 */
  readonly connections: number;
  /**
   * Times each closed-loop scenario runs, its servers started afresh each time; the ratios are then the
   * medians over the starts (one process's speed differs by up to a third between starts on this
   * machine, more than between rounds). `BENCH_STARTS`, @default 1
   */
  readonly starts: number;
  /**
   * Run each scenario's target under `node --cpu-prof`; the profile is
   * written to `bench/results/profiles/` when it stops. `BENCH_CPU_PROF=1`, @default off
   */
  readonly cpuProfile: boolean;
  /**
   * The load generator of the read scenarios: `wrk` (a child process; it
   * costs a fraction of autocannon's CPU per request, so fast servers are not
   * capped by it) or `autocannon` (in this process). Write scenarios always use
   * autocannon. `BENCH_LOAD_GENERATOR`, @default wrk when it is on the PATH,
   * else autocannon
   */
  readonly loadGenerator: LoadGenerator;
}

/** See {@link BenchSettings.loadGenerator}. */
export type LoadGenerator = 'autocannon' | 'wrk';

/** CPU cores of the servers and of the load generator when pinned. */
export const PIN = { serverCore: 0, loadCore: 1 } as const;

/** Set by the runner in the copy of itself that it re-executes under `taskset`. */
export const PINNED_MARKER = 'BENCH_PINNED';

/**
 * Reads the settings from `env`; throws one error naming every bad variable
 * (each must be a positive integer, the warm-ups may be 0; flags are 0 or 1).
 */
export function readSettings(env: NodeJS.ProcessEnv): BenchSettings {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min = 1): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (Number.isInteger(value) && value >= min) return value;
    problems.push(`${name} must be an integer >= ${min} (got "${raw}")`);
    return fallback;
  };
  const flag = (name: string): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '' || raw === '0') return false;
    if (raw === '1') return true;
    problems.push(`${name} must be 0 or 1 (got "${raw}")`);
    return false;
  };
  const settings = {
    rounds: int('BENCH_ROUNDS', 3),
    durationS: int('BENCH_DURATION_S', 5),
    warmupS: int('BENCH_WARMUP_S', 1, 0),
    firstWarmupS: int('BENCH_FIRST_WARMUP_S', 4, 0),
    connections: int('BENCH_CONNECTIONS', 64),
    starts: int('BENCH_STARTS', 1),
    cpuProfile: flag('BENCH_CPU_PROF'),
    loadGenerator: generator(env.BENCH_LOAD_GENERATOR),
  };
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return settings;

  function generator(raw: string | undefined): LoadGenerator {
    if (raw === undefined || raw === '') return hasWrk() ? 'wrk' : 'autocannon';
    if (raw === 'autocannon') return 'autocannon';
    if (raw !== 'wrk') {
      problems.push(`BENCH_LOAD_GENERATOR must be autocannon or wrk (got "${raw}")`);
      return 'autocannon';
    }
    if (!hasWrk()) problems.push('BENCH_LOAD_GENERATOR=wrk needs wrk on the PATH (Debian: apt install wrk)');
    return 'wrk';
  }
}

/**
 * Whether the runner should re-execute itself pinned to {@link PIN.loadCore}:
 * `taskset` exists, there are at least two cores, this is not already the
 * pinned copy, and `BENCH_PIN` is not `0`.
 */
export function shouldPin(env: NodeJS.ProcessEnv): boolean {
  if (env[PINNED_MARKER] === '1' || env.BENCH_PIN === '0' || availableParallelism() < 2) return false;
  return spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' }).status === 0;
}
