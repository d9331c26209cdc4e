import { z } from 'zod';
import { SWITCH_STATES } from './degradation.types';

const FEATURE_NAME = /^[a-z][a-z0-9._-]{0,63}$/;
const FEATURE_NAME_RULE = 'must be 1-64 of a-z 0-9 . _ - starting with a letter';

/** A switch name: 1-64 of `a-z 0-9 - _ .`, starting with a letter (`recommendations`, `search.suggest`). */
export const featureNameSchema = z.string().regex(FEATURE_NAME, { error: FEATURE_NAME_RULE });

/** `on`, `off` or `fallback`. */
export const switchStateSchema = z.enum(SWITCH_STATES, { error: `must be one of ${SWITCH_STATES.join(', ')}` });

/** Feature → state. (Names are checked here rather than by a key schema, whose error would not say what is wrong.) */
export const switchMapSchema = z.record(z.string(), switchStateSchema).superRefine((switches, ctx) => {
  for (const name of Object.keys(switches)) {
    if (!FEATURE_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: `the name ${FEATURE_NAME_RULE}` });
  }
});

/**
 * `DEGRADATION_SWITCHES`: `name=state` pairs separated by commas (`recommendations=off,search=fallback`);
 * empty = none. A name given twice is an error, not "the last one wins".
 */
export const switchListSchema = z
  .string()
  .default('')
  .transform((text, ctx) => {
    const entries: Array<[string, string]> = [];
    for (const part of text
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p.length > 0)) {
      const [name, state, ...rest] = part.split('=').map((s) => s.trim());
      if (state === undefined || rest.length > 0) {
        ctx.addIssue({ code: 'custom', message: `"${part}" is not name=state` });
        return z.NEVER;
      }
      if (entries.some(([seen]) => seen === name)) {
        ctx.addIssue({ code: 'custom', message: `"${name}" is given twice` });
        return z.NEVER;
      }
      entries.push([name, state]);
    }
    return Object.fromEntries(entries);
  })
  .pipe(switchMapSchema);

/**
 * The switches file (JSON or YAML): a `switches` map of feature → state, nothing else.
 *
 * @example
 * ```yaml
 * switches:
 *   recommendations: fallback
 * ```
 */
export const switchFileSchema = z.strictObject({ switches: switchMapSchema });

/** Body of `PUT /admin/switches/:feature`. */
export const setSwitchBodySchema = z.strictObject({ state: switchStateSchema });
