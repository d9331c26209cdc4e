import type { Job } from 'bullmq';
import { {{thingCamel}}JobKey, type {{Thing}}Job } from './{{name}}.jobs';
import { {{Name}}Processor } from './{{name}}.processor';

describe('{{name}} jobs', () => {
  it('keys a job by {{thing}} and version, in the three parts BullMQ allows', () => {
    expect({{thingCamel}}JobKey({ id: 7, version: 3 })).toBe('{{thing}}:7:v3');
  });

  it('runs a job', async () => {
    const job = { id: '{{thing}}:7:v3', data: { id: 7, version: 3 } } as Job<{{Thing}}Job>;
    await expect(new {{Name}}Processor().process(job)).resolves.toBeUndefined();
  });
});
