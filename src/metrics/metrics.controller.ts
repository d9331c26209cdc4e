import { Controller, Get, Header } from '@nestjs/common';
import { z } from 'zod';
import { ApiRoute } from '../http';
import { Criticality } from '../overload';
import { Registry } from 'prom-client';
import { MetricsService } from './metrics.service';

/** `GET /metrics` on the app port (when `METRICS_PORT` is 0): the Prometheus text exposition. */
@Criticality('critical')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @ApiRoute({ summary: 'Prometheus metrics', response: { schema: z.string(), contentType: 'text/plain', description: 'The text exposition format (0.0.4).' } })
  @Header('content-type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('cache-control', 'no-store')
  scrape(): Promise<string> {
    return this.metrics.render();
  }
}
