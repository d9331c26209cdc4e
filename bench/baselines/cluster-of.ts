import cluster from 'node:cluster';

/**
 * A baseline as two processes behind a bare `node:cluster` primary that shares the port (Node's
 * default round-robin hand-out), nothing else: `BASELINE_SCRIPT` names the baseline module each
 * process runs (`node-http-buffer`, `nest-cache-interceptor`). The ceilings of what two processes
 * cost per request against one (`fleet-scaling-ceiling`, `fleet-scaling-nest-ceiling`), for the
 * app's own figure in `fleet-scaling`. The primary forwards SIGTERM/SIGINT and exits once both have.
 */
if (cluster.isPrimary) {
  const processes = Number(process.env.BASELINE_PROCESSES ?? 2);
  for (let i = 0; i < processes; i++) cluster.fork();
  let exited = 0;
  cluster.on('exit', () => {
    if (++exited === processes) process.exit(0);
  });
  const stop = (): void => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} else {
  const script = process.env.BASELINE_SCRIPT ?? '';
  if (!/^[a-z-]+$/.test(script)) throw new Error(`BASELINE_SCRIPT must name a baseline of bench/baselines, got '${script}'`);
  void import(`./${script}`);
}
