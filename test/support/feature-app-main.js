// Test-only entry point: the built app (dist/, exactly what `node dist/main.js` runs) plus
// feature modules that exist only in test/, so e2e tests can run such features in separate
// processes. Never part of the build. Usage (see feature-app-process.ts):
//   node test/support/feature-app-main.js <compiled module file> <export name> [...]
require('reflect-metadata');
const { join } = require('node:path');

const dist = join(__dirname, '..', '..', 'dist');
const { bootFailureMessage, createApp } = require(join(dist, 'app.factory'));
const { AppModule } = require(join(dist, 'app.module'));
const { appConfig, loadConfig, readProcessEnv } = require(join(dist, 'config'));
const { healthConfig, installShutdownHandlers } = require(join(dist, 'lifecycle'));

async function main() {
  const args = process.argv.slice(2);
  const modules = [];
  for (let i = 0; i < args.length; i += 2) modules.push(require(args[i])[args[i + 1]]);
  const config = loadConfig(AppModule.configs, readProcessEnv());
  const app = await createApp(config, { modules });
  installShutdownHandlers(app, config.get(healthConfig));
  const { host, port } = config.get(appConfig);
  await app.listen({ host, port });
}

main().catch((error) => {
  // As main.ts reports it.
  process.stderr.write(`${bootFailureMessage(error)}\n`);
  process.exit(1);
});
