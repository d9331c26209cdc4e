import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSnapshot, cpuUse } from './cpu';
import { NO_HEADER, type LoadOptions, type LoadResult } from './load';

/** True when `wrk` can be run. */
export function hasWrk(): boolean {
  return spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
}

/** Ticks per second of `/proc/<pid>/stat` times (USER_HZ). */
const USER_HZ = 100;

/**
 * Loads `url` with `wrk` (one thread, `connections` keep-alive connections)
 * for `durationS` seconds: GETs of `paths`, each connection cycling through
 * them from a shared counter, as the autocannon load does. wrk costs a
 * fraction of autocannon's CPU per request, so a fast server, not the load
 * generator, is the limit. A Lua script counts non-2xx answers and the values
 * of `tallyHeader`, and at the end prints the figures and wrk's own CPU time
 * (from `/proc/self/stat`, tick-sampled) as one JSON line.
 *
 * Latencies are wrk's (every answer, 1 µs resolution), not only the 2xx
 * ones. Writes are not supported (the write scenarios use autocannon).
 */
export async function wrkLoad(options: LoadOptions): Promise<LoadResult> {
  if (options.requests) throw new Error('wrk: write scenarios are measured with autocannon only');
  const dir = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
  const script = join(dir, 'load.lua');
  writeFileSync(script, luaScript(options.paths, options.tallyHeader?.toLowerCase()));
  const before = cpuSnapshot(options.serverPid, options.helperPids);
  try {
    const out = await run(['-t1', `-c${options.connections}`, `-d${options.durationS}s`, '--timeout', '10s', '-s', script, options.url]);
    const after = cpuSnapshot(options.serverPid, options.helperPids);
    const line = out.split('\n').find((l) => l.startsWith('BENCH '));
    if (!line) throw new Error(`wrk printed no result:\n${out}`);
    const figures = JSON.parse(line.slice('BENCH '.length)) as {
      requests: number;
      duration_us: number;
      p50_us: number;
      p99_us: number;
      socket_errors: number;
      non2xx: number;
      cpu_ticks: number;
      tally: Record<string, number>;
    };
    const seconds = figures.duration_us / 1e6;
    const cpu = cpuUse(before, after);
    return {
      rps: figures.requests / seconds,
      p50Ms: Math.round(figures.p50_us / 10) / 100,
      p99Ms: Math.round(figures.p99_us / 10) / 100,
      errors: figures.non2xx + figures.socket_errors,
      ...(options.tallyHeader === undefined ? {} : { headerValues: figures.tally }),
      // wrk is a child process: its CPU comes from its own /proc figures, not this process's.
      cpu: { ...cpu, load: figures.cpu_ticks / USER_HZ / seconds },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`wrk exited with ${code}:\n${out}`))));
  });
}

/** The wrk script: requests in turn from `paths`, counters per thread, one JSON line at the end. */
function luaScript(paths: readonly string[], header: string | undefined): string {
  const list = paths.map((path) => `"${path.replace(/["\\]/g, '\\$&')}"`).join(',\n');
  return `
local paths = {
${list}
}
local n = 0
non2xx = 0
tally = {}
local header = ${header === undefined ? 'nil' : `"${header}"`}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function request()
  n = n % #paths + 1
  return wrk.format("GET", paths[n])
end

function response(status, headers, body)
  if status < 200 or status >= 300 then non2xx = non2xx + 1 end
  if header then
    local value = "${NO_HEADER}"
    for name, v in pairs(headers) do
      if string.lower(name) == header then value = v break end
    end
    tally[value] = (tally[value] or 0) + 1
  end
end

function done(summary, latency, requests)
  local bad, counts = 0, {}
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
    for value, count in pairs(thread:get("tally")) do counts[value] = (counts[value] or 0) + count end
  end
  local parts = {}
  for value, count in pairs(counts) do
    table.insert(parts, string.format("%q:%d", value, count))
  end
  local stat = io.open("/proc/self/stat"):read("*a")
  local fields = {}
  for field in string.gmatch(string.sub(stat, string.find(stat, ")", 1, true) + 2), "%S+") do table.insert(fields, field) end
  local e = summary.errors
  io.write(string.format('BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"socket_errors":%d,"non2xx":%d,"cpu_ticks":%d,"tally":{%s}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, bad, tonumber(fields[12]) + tonumber(fields[13]), table.concat(parts, ",")))
end
`;
}
