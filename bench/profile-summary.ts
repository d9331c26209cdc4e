import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { REPO_ROOT } from './servers';

/**
 * `node dist-bench/bench/profile-summary.js <file.cpuprofile> [top]`: a
 * text summary of a V8 CPU profile (as written by `node --cpu-prof`, e.g.
 * with `BENCH_CPU_PROF=1`): where the samples fell by package (self time),
 * and the top functions by self time and by total time (self + callees,
 * each function counted once per sample however deep it recurses).
 */
interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

function main(file: string, top: number): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const packages = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    // A sample's weight is the time until the next one (V8 stores the delta before each sample).
    const us = profile.timeDeltas[i + 1] ?? 0;
    all += us;
    const node = byId.get(id)!;
    add(self, frameName(node), us);
    add(packages, packageOf(node.callFrame.url, node.callFrame.functionName), us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = frameName(byId.get(at)!);
      if (seen.has(name)) continue;
      seen.add(name);
      add(total, name, us);
    }
  });
  const busy = all - (self.get('(idle)') ?? 0);
  console.log(`${file}: ${(all / 1e6).toFixed(2)} s sampled, ${profile.samples.length} samples, ${((busy / all) * 100).toFixed(1)} % not idle`);
  // Shares of the busy time: an idle server (while the baselines are loaded) would dilute them.
  for (const map of [self, packages, total]) map.delete('(idle)');
  total.delete('(root)');
  console.log('\nself time by package (% of busy time):');
  print(packages, busy, top);
  console.log('\ntop functions by self time (% of busy time):');
  print(self, busy, top);
  console.log('\ntop functions by total time, self + callees (% of busy time):');
  print(total, busy, top);
}

function frameName({ callFrame: { functionName, url, lineNumber } }: ProfileNode): string {
  if (!url) return functionName || '(anonymous)';
  return `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
}

/** `node_modules/<package>` (scoped too), `app` for the repository's own files, `node:` internals, or V8's pseudo frames. */
function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node: (core)';
  const path = url.replace(/^file:\/\//, '');
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (match) return match[1];
  return path.startsWith(REPO_ROOT) ? `app ${relative(REPO_ROOT, path).split('/').slice(0, 2).join('/')}` : path;
}

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) return path.slice(modules + 'node_modules/'.length);
  return path.startsWith(REPO_ROOT) ? relative(REPO_ROOT, path) : path;
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}

function print(map: Map<string, number>, base: number, top: number): void {
  for (const [name, us] of [...map].sort(([, a], [, b]) => b - a).slice(0, top)) {
    console.log(`  ${((us / base) * 100).toFixed(1).padStart(5)} %  ${name}`);
  }
}

const [file, top] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node dist-bench/bench/profile-summary.js <file.cpuprofile> [top]\n');
  process.exit(2);
}
main(file, Number(top ?? 25));
