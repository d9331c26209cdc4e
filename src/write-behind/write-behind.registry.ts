import { Injectable } from '@nestjs/common';
import { DuplicateWriteBehindEntityError } from './write-behind.errors';
import type { FeatureQueue } from './feature-queue';
import type { WriteBehindSnapshot } from './write-behind.stats';

/**
 * Every feature queue of this process, by entity: the dead-letter service,
 * readiness details and (later) the metrics collector and admin API read
 * them here. Registration refuses a duplicate entity at boot.
 */
@Injectable()
export class WriteBehindRegistry {
  private readonly queues = new Map<string, FeatureQueue>();

  register(feature: FeatureQueue): void {
    if (this.queues.has(feature.entity)) throw new DuplicateWriteBehindEntityError(feature.entity);
    this.queues.set(feature.entity, feature);
  }

  /** The queue of `entity`, or undefined. */
  get(entity: string): FeatureQueue | undefined {
    return this.queues.get(entity);
  }

  all(): FeatureQueue[] {
    return [...this.queues.values()];
  }

  /** One snapshot per entity (counters of this process; queue figures of the shared queue). */
  stats(): Promise<WriteBehindSnapshot[]> {
    return Promise.all(this.all().map((feature) => feature.snapshot()));
  }
}
