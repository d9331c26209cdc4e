import { z } from 'zod';
import { defineConfig, type ConfigOf, intVar } from '../../config';

/** The {{name}} feature's settings (add yours here, each with a default and `.describe()`, then `npm run config:docs`). */
export const {{nameCamel}}Config = defineConfig(
  '{{name}}',
  z.object({
    {{NAME}}_PAGE_LIMIT_DEFAULT: intVar(20, 1, 1000).describe('Page size of GET /{{name}} when no limit is given.'),
    {{NAME}}_PAGE_LIMIT_MAX: intVar(100, 1, 1000).describe('Largest page size GET /{{name}} accepts.'),
  }),
  (env) => ({
    pageLimitDefault: Math.min(env.{{NAME}}_PAGE_LIMIT_DEFAULT, env.{{NAME}}_PAGE_LIMIT_MAX),
    pageLimitMax: env.{{NAME}}_PAGE_LIMIT_MAX,
  }),
);
export type {{Name}}Config = ConfigOf<typeof {{nameCamel}}Config>;
