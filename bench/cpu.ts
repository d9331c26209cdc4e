import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU accounting from `/proc` (Linux), to tell which side of a measurement
 * ran out of CPU: the server, the load generator (this process), or a core.
 * Server and load generator figures are exact run times; core figures are
 * tick samples. Everything is undefined where `/proc` cannot be read.
 */
export interface CpuSnapshot {
  readonly atMs: number;
  /** CPU time of the server process and its children (the app processes of `APP_PROCESSES=N`), all threads, in ms. */
  readonly serverMs: number | undefined;
  /** CPU time of this process (autocannon runs in it), in ms. */
  readonly loadMs: number;
  /** CPU time of the scenario's helper processes (e.g. a separate worker), all threads, in ms; undefined when none. */
  readonly helpersMs: number | undefined;
  /** CPU time of each process of the server's tree (the primary first), in ms, when it has more than one. */
  readonly serverProcessesMs?: ReadonlyMap<number, number>;
  /** CPU time of every other process (but PostgreSQL, Redis and the helpers), by pid, in ms: other work on a shared machine. */
  readonly others: ReadonlyMap<number, number> | undefined;
  /** Busy time per core (`/proc/stat`: everything but idle and iowait), in ticks; index = core. */
  readonly coreBusy: readonly number[] | undefined;
  readonly coreTotal: readonly number[] | undefined;
}

/** Shares of one core (0..1, one decimal place in percent) over an interval. */
export interface CpuUse {
  readonly server: number | undefined;
  /** Each process of the server's tree (the primary first), as a share of one core, when it has more than one. */
  readonly serverProcesses?: readonly number[];
  readonly load: number;
  /** The scenario's helper processes together (a separate worker), as a share of one core; undefined when none. */
  readonly helpers: number | undefined;
  /**
   * CPU of all other processes except PostgreSQL and Redis (e.g. a build or
   * a test run of someone else), in cores; tick-sampled, and a process that
   * starts and ends within the interval is missed.
   */
  readonly others: number | undefined;
  /**
   * Busy share of each core, whatever ran on it (servers, autocannon,
   * PostgreSQL, Redis, others), from `/proc/stat`: sampled on the tick, so a
   * rough figure (it read ~75 % on a core that `perf` sampled ~94 % busy).
   */
  readonly cores: readonly number[] | undefined;
}

/** Units per second of the times in `/proc/<pid>/stat` (USER_HZ, 100 whatever the kernel's HZ). */
const USER_HZ = 100;

export function cpuSnapshot(serverPid: number | undefined, helperPids: readonly number[] = []): CpuSnapshot {
  const { user, system } = process.cpuUsage();
  const cores = coreTimes();
  const helpers = helperPids.map(processCpuMs);
  const serverTree = serverPid === undefined ? [] : processTree(serverPid);
  const serverTimes = serverTree.map(processCpuMs);
  return {
    atMs: performance.now(),
    serverMs: serverPid === undefined || serverTimes.includes(undefined) ? undefined : serverTimes.reduce((a, b) => a! + b!, 0),
    serverProcessesMs: serverTree.length > 1 ? new Map(serverTree.map((pid, i) => [pid, serverTimes[i] ?? 0])) : undefined,
    loadMs: (user + system) / 1000,
    helpersMs: helpers.length === 0 || helpers.includes(undefined) ? undefined : helpers.reduce((a, b) => a! + b!, 0),
    others: otherProcessesMs(new Set([process.pid, process.ppid, ...serverTree, ...helperPids])),
    coreBusy: cores?.map((c) => c.busy),
    coreTotal: cores?.map((c) => c.total),
  };
}

export function cpuUse(from: CpuSnapshot, to: CpuSnapshot): CpuUse {
  const wallMs = to.atMs - from.atMs;
  const share = (a: number | undefined, b: number | undefined): number | undefined =>
    a === undefined || b === undefined || wallMs <= 0 ? undefined : (b - a) / wallMs;
  let cores: number[] | undefined;
  if (from.coreBusy && to.coreBusy && from.coreTotal && to.coreTotal && from.coreBusy.length === to.coreBusy.length) {
    cores = to.coreBusy.map((busy, i) => {
      const total = to.coreTotal![i] - from.coreTotal![i];
      return total > 0 ? (busy - from.coreBusy![i]) / total : 0;
    });
  }
  let others: number | undefined;
  if (from.others && to.others && wallMs > 0) {
    let ms = 0;
    for (const [pid, now] of to.others) ms += Math.max(0, now - (from.others.get(pid) ?? 0));
    others = ms / wallMs;
  }
  const serverProcesses =
    from.serverProcessesMs && to.serverProcessesMs && wallMs > 0
      ? [...to.serverProcessesMs].map(([pid, ms]) => Math.max(0, ms - (from.serverProcessesMs!.get(pid) ?? 0)) / wallMs)
      : undefined;
  return {
    server: share(from.serverMs, to.serverMs),
    serverProcesses,
    load: share(from.loadMs, to.loadMs)!,
    helpers: share(from.helpersMs, to.helpersMs),
    others,
    cores,
  };
}

/** `server 97% · autocannon 99% · cores 100/98%` (`loadLabel` names the load generator's share). */
export function formatCpuUse(use: CpuUse, loadLabel = 'autocannon'): string {
  const pct = (x: number): string => `${Math.round(x * 100)}%`;
  const processes = use.serverProcesses ? ` (primary ${use.serverProcesses.map(pct).join(' · ')})` : '';
  const parts = [`server ${use.server === undefined ? '?' : pct(use.server)}${processes}`, `${loadLabel} ${pct(use.load)}`];
  if (use.helpers !== undefined) parts.push(`helpers ${pct(use.helpers)}`);
  if (use.cores) parts.push(`cores ${use.cores.map((c) => Math.round(c * 100)).join('/')}%`);
  if (use.others !== undefined) parts.push(`others ${pct(use.others)}`);
  return parts.join(' · ');
}

/** `pid` and its descendants (a cluster primary's app processes), from `/proc/<pid>/task/<tid>/children`. */
export function processTree(pid: number): number[] {
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    try {
      for (const tid of readdirSync(`/proc/${tree[i]}/task`)) {
        const children = readFileSync(`/proc/${tree[i]}/task/${tid}/children`, 'utf8').trim();
        if (children) tree.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // Exited meanwhile.
    }
  }
  return tree;
}

/**
 * CPU time of a process, all its threads, in ms: the scheduler's exact run
 * time (`/proc/<pid>/task/<tid>/schedstat`, ns), which counts softirq work
 * done on the process's time too; else utime + stime of `/proc/<pid>/stat`
 * (sampled on the tick: off by several % for a process that sleeps and wakes
 * thousands of times a second). Undefined when neither can be read.
 */
function processCpuMs(pid: number): number | undefined {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    return ns / 1e6;
  } catch {
    // No schedstat (or a thread exited while being read): the tick-sampled figure.
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after "pid (comm) ", in USER_HZ (100/s).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return undefined;
  }
}

/** Processes whose CPU is part of the measurement: the databases of the app. */
const EXPECTED = new Set(['postgres', 'redis-server']);

/** utime + stime (tick-sampled) of every user process but `exclude` and {@link EXPECTED}, by pid, in ms. */
function otherProcessesMs(exclude: ReadonlySet<number>): Map<number, number> | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const times = new Map<number, number>();
  for (const name of pids) {
    const pid = Number(name);
    if (exclude.has(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Kernel threads (children of kthreadd, pid 2) carry the loopback's softirq work too: not "others".
      if (EXPECTED.has(comm) || pid === 2 || fields[1] === '2') continue;
      times.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ);
    } catch {
      // Exited meanwhile.
    }
  }
  return times;
}

/** Busy and total ticks of each core, from the `cpuN` lines of `/proc/stat`. */
function coreTimes(): Array<{ busy: number; total: number }> | undefined {
  try {
    return readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .filter((line) => /^cpu\d+ /.test(line))
      .map((line) => {
        const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
        const busy = user + nice + system + irq + softirq + steal;
        return { busy, total: busy + idle + iowait };
      });
  } catch {
    return undefined;
  }
}
