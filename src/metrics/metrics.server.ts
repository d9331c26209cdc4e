import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appConfig, type AppConfig, InjectConfig } from '../config';
import { metricsConfig, type MetricsConfig } from './metrics.config';
import { MetricsService } from './metrics.service';

/**
 * `GET /metrics` on its own port (`METRICS_PORT`, on `HOST`): a bare
 * `node:http` server, so scrapes stay off the app's port, its hooks, its
 * logs and its metrics. Anything else answers 404. Listens at bootstrap,
 * closes at shutdown.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server?: Server;

  constructor(
    private readonly metrics: MetricsService,
    @InjectConfig(metricsConfig) private readonly config: MetricsConfig,
    @InjectConfig(appConfig) private readonly app: AppConfig,
  ) {}

  /** The port it listens on (after bootstrap). */
  port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      this.metrics.render().then(
        (text) => res.writeHead(200, { 'content-type': this.metrics.contentType, 'cache-control': 'no-store' }).end(text),
        (error: unknown) => {
          this.logger.error({ err: error }, 'metrics collection failed');
          res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n');
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.port, this.app.host, () => resolve());
    });
    this.server = server;
    this.logger.log(`metrics on ${this.app.host}:${this.port()}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
