import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ReadinessDetails } from '../lifecycle';
import { WriteBehindRegistry } from './write-behind.registry';

/** Adds `writeBehind` to the readiness details: per entity, the queue's depth, lag, outage and dead letters. */
@Injectable()
export class WriteBehindReadiness implements OnModuleInit {
  constructor(
    private readonly registry: WriteBehindRegistry,
    private readonly details: ReadinessDetails,
  ) {}

  onModuleInit(): void {
    this.details.register('writeBehind', async () => {
      const stats = await this.registry.stats();
      return Object.fromEntries(
        stats.map((s) => [
          s.entity,
          {
            queueDepth: s.queueDepth,
            pendingRows: s.pendingRows,
            active: s.active,
            stalled: s.stalled,
            oldestWaitingAgeMs: s.oldestWaitingAgeMs,
            backlogOverBound: s.backlogOverBound,
            databaseOutage: s.databaseOutage,
            deadLetters: s.deadLetters,
            flushLagMs: s.flushLagMs,
          },
        ]),
      );
    });
  }
}
