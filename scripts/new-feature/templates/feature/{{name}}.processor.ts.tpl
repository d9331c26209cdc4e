import { Logger } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { {{NAME}}_QUEUE } from './{{name}}.constants';
import type { {{Thing}}Job } from './{{name}}.jobs';

/**
 * Runs one {{name}} job (APP_ROLE worker|all). A throw fails the attempt: it is
 * retried with the jobs kit's spaced, jittered backoff (`JOBS_*`), then kept
 * as a dead letter (`/admin/dead-letters/{{name}}-jobs`); BullMQ's
 * `UnrecoverableError` makes it a dead letter at once. Pass `job.id` on as an
 * idempotency key to anything it calls: a job may run twice (a worker killed mid-job).
 */
@Processor({{NAME}}_QUEUE)
export class {{Name}}Processor extends WorkerHost {
  private readonly logger = new Logger('{{Name}}Processor');

  async process(job: Job<{{Thing}}Job>): Promise<void> {
    // The work of the job goes here (a service call: keep the processor thin).
    this.logger.debug({ jobId: job.id, id: job.data.id, version: job.data.version }, '{{name}} job done');
  }
}
