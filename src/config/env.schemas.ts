import { z } from 'zod';

/**
 * Small zod builders for environment variables, which always arrive as strings.
 * Each keeps the default visible in one place so the README table and
 * `.env.example` can be checked against it.
 */

/** An integer variable within [min, max]. */
export function intVar(defaultValue: number, min: number, max: number = Number.MAX_SAFE_INTEGER) {
  return z.coerce.number({ error: 'must be an integer' }).int({ error: 'must be an integer' }).min(min).max(max).default(defaultValue);
}

/** A boolean variable: `true`/`false`/`1`/`0` (anything else is an error, not `false`). */
export function boolVar(defaultValue: boolean) {
  return z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .default(defaultValue ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');
}

/** A comma-separated list of values from `allowed` (empty string = empty list). */
export function listVar<const T extends readonly [string, ...string[]]>(allowed: T, defaultValue: string) {
  return z
    .string()
    .default(defaultValue)
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    )
    .pipe(z.array(z.enum(allowed)));
}

/** A URL variable whose scheme is one of `protocols` (e.g. `['postgres:', 'postgresql:']`). */
export function urlVar(defaultValue: string, protocols: readonly string[]) {
  return z
    .string()
    .default(defaultValue)
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      { error: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
    );
}
