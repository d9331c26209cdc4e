import { Injectable, Logger } from '@nestjs/common';
import { InjectJobProducer, type JobProducer } from '../../jobs';
import { LogThrottle } from '../../logging';
import { {{NAME}}_QUEUE } from './{{name}}.constants';
import { {{thingCamel}}JobKey, type {{Thing}}Job } from './{{name}}.jobs';

/**
 * Queues a {{name}} job under its idempotency key (one job per {{thing}} version,
 * however often it is published).
 *
 * Degrades to no job: the write that asks for it is accepted already, so a
 * queue that cannot take the job (Redis down) does not fail it; the loss is
 * logged (throttled) and counted (`bulwark_jobs_add_failures_total`).
 */
@Injectable()
export class {{Name}}Publisher {
  private readonly logger = new Logger('{{Name}}Jobs');
  private readonly throttle = new LogThrottle(1, 5);

  constructor(@InjectJobProducer({{NAME}}_QUEUE) private readonly jobs: JobProducer<{{Thing}}Job>) {}

  async publish(job: {{Thing}}Job): Promise<void> {
    try {
      await this.jobs.add({{thingCamel}}JobKey(job), { id: job.id, version: job.version });
    } catch (error) {
      const suppressed = this.throttle.take();
      if (suppressed !== undefined) this.logger.warn({ id: job.id, suppressed, err: { message: (error as Error).message } }, '{{name}} job not queued');
    }
  }
}
