/** Name of the {{name}} feature: its degradation switch (`@Degradable('{{name}}')`) and its config section. */
export const {{NAME}}_FEATURE = '{{name}}';
// #if writeBehind

/** The write-behind entity of {{name}} (the table): names its queue and its Redis keys. */
export const {{NAME}}_ENTITY = '{{name}}';
// #endif
// #if jobs

/** The job queue of {{name}} (`@Processor({{NAME}}_QUEUE)`). */
export const {{NAME}}_QUEUE = '{{name}}-jobs';
// #endif
