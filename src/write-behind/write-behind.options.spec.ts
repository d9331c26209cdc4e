import { writeBehindConfig } from './write-behind.config';
import { withQueueOptions } from './write-behind.options';

describe('withQueueOptions', () => {
  const moduleWide = writeBehindConfig.map(writeBehindConfig.env.parse({}));

  it('is the module-wide config when the feature overrides nothing', () => {
    expect(withQueueOptions(moduleWide)).toEqual(moduleWide);
  });

  it("lays a queue's own batching and retry settings over the module-wide ones", () => {
    const queue = withQueueOptions(moduleWide, { batchSize: 20, attempts: 8, backoffBaseMs: 1_000 });
    expect(queue).toEqual({ ...moduleWide, batchSize: 20, attempts: 8, backoffBaseMs: 1_000 });
    expect(moduleWide.batchSize).toBe(200); // untouched
  });

  it('keeps the backoff cap at least the base', () => {
    expect(withQueueOptions(moduleWide, { backoffBaseMs: 60_000 }).backoffCapMs).toBe(60_000);
  });
});
