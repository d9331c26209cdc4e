/** The data of one {{name}} job: the {{thing}} and the version that queued it. */
export interface {{Thing}}Job {
  readonly id: number;
  readonly version: number;
}

/** The idempotency key (BullMQ job id) of one {{thing}} version: `{{thing}}:<id>:v<version>` (a `:` only as three parts). */
export function {{thingCamel}}JobKey(job: {{Thing}}Job): string {
  return `{{thing}}:${job.id}:v${job.version}`;
}
