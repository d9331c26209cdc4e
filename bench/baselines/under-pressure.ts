import 'reflect-metadata';
import underPressure from '@fastify/under-pressure';
import { bootFailureMessage, createApp } from '../../src/app.factory';
import { AppModule } from '../../src/app.module';
import { appConfig, loadConfig, readProcessEnv } from '../../src/config';
import { installShutdownHandlers, healthConfig } from '../../src/lifecycle';

/**
 * Baseline `under-pressure`: the whole app (the same `createApp` as `dist/main.js`, overload
 * protection off) with `@fastify/under-pressure` registered as its README shows: 503 once the
 * event-loop delay passes 1 s or its utilisation 0.98. The README's heap and RSS limits (100 MB)
 * are left out: they are per deployment, and this app's RSS is above them at rest, so they would
 * refuse every request. Listens on $HOST:$PORT.
 */
async function main(): Promise<void> {
  const config = loadConfig(AppModule.configs, readProcessEnv());
  const app = await createApp(config);
  await app.register(underPressure, { maxEventLoopDelay: 1000, maxEventLoopUtilization: 0.98 });
  installShutdownHandlers(app, config.get(healthConfig));
  const { host, port } = config.get(appConfig);
  await app.listen({ host, port });
}

main().catch((error: unknown) => {
  process.stderr.write(`${bootFailureMessage(error)}\n`);
  process.exit(1);
});
