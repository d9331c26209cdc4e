import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import cluster from 'node:cluster';
import { bootFailureMessage, createApp } from './app.factory';
import { AppModule } from './app.module';
import { clusterConfig, runPrimary } from './cluster';
import { appConfig, loadConfig, readProcessEnv } from './config';
import { healthConfig, installShutdownHandlers } from './lifecycle';

async function bootstrap(): Promise<void> {
  const config = loadConfig(AppModule.configs, readProcessEnv());
  // APP_PROCESSES > 1: this process only forks and supervises; each app process runs the rest of this function.
  if (config.get(clusterConfig).processes > 1 && cluster.isPrimary) return runPrimary(config);
  const app = await createApp(config);
  installShutdownHandlers(app, config.get(healthConfig));
  const { host, port, role } = config.get(appConfig);
  await app.listen({ host, port });
  new Logger('Bootstrap').log(`listening on ${host}:${port} as ${role}`);
}

bootstrap().catch((error: unknown) => {
  // Before the logger exists (bad config) or when boot itself fails (bad wiring…): one clear message, exit 1.
  process.stderr.write(`${bootFailureMessage(error)}\n`);
  process.exit(1);
});
