/**
 * Three projects: `unit` (pure logic, `*.spec.ts` beside the code), `integration`
 * (`test/integration/<name>.int-spec.ts`: one component below HTTP, e.g. a Lua
 * script, a flush statement, the read path, on the real PostgreSQL and Redis)
 * and `e2e` (`test/<name>.e2e-spec.ts`, the app over HTTP or as processes, real
 * PostgreSQL and Redis). `npm test` runs all three.
 */
// isolatedModules (tsconfig.json): each file is transpiled alone, without a type check, which keeps runs fast;
// `npm run typecheck` and the build check types.
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];

/** @type {import('jest').Config} */
module.exports = {
  // A global option: Jest ignores it inside a project. E2E tests start apps and processes.
  testTimeout: 60000,
  // Once every test has finished, exit even if a handle is still open. Some e2e files leave an
  // ioredis reconnect timer or a socket to a killed throwaway Redis/proxy behind for a while, and one
  // CI run in several hung after "395 passed" until killed. Handles are still closed in afterAll;
  // `npx jest --detectOpenHandles` lists what is left when hunting them (a clean run found none).
  // One cause was found since: a BullMQ worker whose connection had been cut and restored never
  // finished close() (test/cache/bus.e2e-spec.ts, about one run in three on Node 24); shutdown now
  // bounds each closer (SHUTDOWN_STEP_TIMEOUT_MS).
  forceExit: true,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.js',
      transform: { '^.+\\.ts$': tsJest },
    },
  ],
};
