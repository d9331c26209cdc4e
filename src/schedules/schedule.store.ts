import type { RedisConnection } from '../redis';
import { withTimeout } from '../lifecycle';
import type { ScheduleRun } from './schedule.types';

/**
 * What every pod shares about schedules, in two Redis hashes under the key
 * prefix: `schedules:paused` (name → `1`) and `schedules:runs` (name → the
 * last finished fleet-once run, JSON). Every call is bounded by `timeoutMs`.
 */
export class ScheduleStore {
  private readonly pausedKey: string;
  private readonly runsKey: string;

  constructor(
    private readonly redis: RedisConnection,
    keyPrefix: string,
    private readonly timeoutMs: number,
  ) {
    this.pausedKey = `${keyPrefix}schedules:paused`;
    this.runsKey = `${keyPrefix}schedules:runs`;
  }

  /** The names paused fleet-wide. Throws when Redis does not answer in time. */
  async paused(): Promise<Set<string>> {
    return new Set(await withTimeout(this.redis.hkeys(this.pausedKey), this.timeoutMs, 'schedule pauses'));
  }

  /** Pauses or resumes `name` on every pod. Throws when Redis does not answer in time. */
  async setPaused(name: string, paused: boolean): Promise<void> {
    const command = paused ? this.redis.hset(this.pausedKey, name, '1') : this.redis.hdel(this.pausedKey, name);
    await withTimeout(command, this.timeoutMs, 'schedule pause');
  }

  /** Records the last finished run of a fleet-once schedule. Throws when Redis does not answer in time. */
  async recordRun(name: string, run: ScheduleRun): Promise<void> {
    await withTimeout(this.redis.hset(this.runsKey, name, JSON.stringify(run)), this.timeoutMs, 'schedule run');
  }

  /** The last recorded run of each fleet-once schedule. Throws when Redis does not answer in time. */
  async runs(): Promise<Map<string, ScheduleRun>> {
    const all = await withTimeout(this.redis.hgetall(this.runsKey), this.timeoutMs, 'schedule runs');
    const runs = new Map<string, ScheduleRun>();
    for (const [name, json] of Object.entries(all)) {
      try {
        runs.set(name, JSON.parse(json) as ScheduleRun);
      } catch {
        // Not ours (written by hand): the schedule shows no fleet run rather than failing the list.
      }
    }
    return runs;
  }
}
