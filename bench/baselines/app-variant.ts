import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { bootFailureMessage, createApp, type CreateAppOptions } from '../../src/app.factory';
import { AppModule } from '../../src/app.module';
import { appConfig, loadConfig, readProcessEnv } from '../../src/config';
import { installShutdownHandlers, healthConfig } from '../../src/lifecycle';

/**
 * Starts the whole app as `dist/main.js` does (the same config, `createApp`, drain and listen on
 * $HOST:$PORT), with `options` (bench-only modules) and `beforeListen` (e.g. a Fastify plugin):
 * the bench's variants of the app differ from it in exactly that.
 */
export function startAppVariant(options: CreateAppOptions = {}, beforeListen: (app: NestFastifyApplication) => Promise<unknown> = async () => undefined): void {
  const main = async (): Promise<void> => {
    const config = loadConfig(AppModule.configs, readProcessEnv());
    const app = await createApp(config, options);
    await beforeListen(app);
    installShutdownHandlers(app, config.get(healthConfig));
    const { host, port } = config.get(appConfig);
    await app.listen({ host, port });
  };
  main().catch((error: unknown) => {
    process.stderr.write(`${bootFailureMessage(error)}\n`);
    process.exit(1);
  });
}
