import { z } from 'zod';
import { defineConfig, type ConfigOf } from '../config';

/** The operator API under `/admin/`. */
export const adminConfig = defineConfig(
  'admin',
  z.object({
    ADMIN_TOKEN: z
      .string()
      .refine((v) => v === '' || (v.length >= 16 && v.length <= 512 && /^[\x21-\x7e]+$/.test(v)), {
        error: 'must be empty (admin API off) or 16-512 printable characters without spaces',
      })
      .default('')
      .describe('Bearer token of the admin API (/admin/...), at least 16 characters; empty turns the admin API off (every admin route answers 404).'),
  }),
  (env) => ({ token: env.ADMIN_TOKEN === '' ? undefined : env.ADMIN_TOKEN }),
);
export type AdminConfig = ConfigOf<typeof adminConfig>;
