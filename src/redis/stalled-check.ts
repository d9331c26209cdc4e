/**
 * How often a BullMQ worker looks for stalled jobs (those whose worker died and
 * stopped renewing the lock), given the lock duration.
 *
 * BullMQ's check is fleet-wide: the worker that runs it sets a `stalled-check`
 * key for one interval and every other worker skips its own tick meanwhile. So
 * when the worker that last ran the check is the one that died, the survivor's
 * next tick can find the key still set and skip: two checks can be up to two
 * intervals apart. A job is moved on by the first check that finds its lock
 * gone (at most one lock duration after the last renewal) and that already saw
 * it active before, so a dead worker's jobs move on within lock + 2 × interval.
 * A quarter of the lock makes that 1.5 × the lock duration, the bound the
 * README gives. The check is one short script per interval per queue.
 */
export function stalledCheckIntervalMs(lockDurationMs: number): number {
  return Math.max(250, Math.round(lockDurationMs / 4));
}
