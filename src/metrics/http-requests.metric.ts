import type { Registry } from 'prom-client';
import { registerExposed, type Sample } from './exposed.metric';

/** Upper bounds of the latency histogram, in seconds: 0.5 ms (an L1 hit) to 10 s. */
export const HTTP_DURATION_BUCKETS_S: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The `route` label of requests that matched no route (404s of unknown paths): one value, whatever the URL. */
export const UNMATCHED_ROUTE = 'unmatched';

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** Methods kept as label values; any other becomes `other`, so the label stays bounded. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Request count and latency buckets of one route template and method, per
 * status class, in typed arrays. {@link RouteSeries.record} allocates nothing:
 * an index, three increments and a scan of 14 bounds.
 */
export class RouteSeries {
  readonly counts = new Float64Array(STATUS_CLASSES.length);
  readonly sumsS = new Float64Array(STATUS_CLASSES.length);
  /** Per status class, per bound: requests whose duration fell in that bucket (not cumulative). */
  readonly buckets: Float64Array;

  constructor(
    readonly route: string,
    readonly method: string,
    private readonly bounds: readonly number[] = HTTP_DURATION_BUCKETS_S,
  ) {
    this.buckets = new Float64Array(STATUS_CLASSES.length * bounds.length);
  }

  /** Counts one response with `statusCode` that took `seconds`. */
  record(statusCode: number, seconds: number): void {
    const hundreds = (statusCode / 100) | 0;
    const cls = hundreds < 1 ? 0 : hundreds > 5 ? 4 : hundreds - 1;
    this.counts[cls]++;
    this.sumsS[cls] += seconds;
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (seconds <= bounds[i]) {
        this.buckets[cls * bounds.length + i]++;
        return;
      }
    }
  }

  /** Appends the samples of every status class seen so far: to `counts` the counts, to `histogram` (named `name`) the buckets, sum and count. */
  appendSamples(counts: Sample[] | undefined, histogram: Sample[] | undefined, name: string): void {
    const bounds = this.bounds;
    for (let cls = 0; cls < STATUS_CLASSES.length; cls++) {
      const count = this.counts[cls];
      if (count === 0) continue;
      const labels = { route: this.route, method: this.method, status_class: STATUS_CLASSES[cls] };
      counts?.push({ labels, value: count });
      if (!histogram) continue;
      let cumulative = 0;
      for (let i = 0; i < bounds.length; i++) {
        cumulative += this.buckets[cls * bounds.length + i];
        histogram.push({ metricName: `${name}_bucket`, labels: { ...labels, le: bounds[i] }, value: cumulative });
      }
      histogram.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count });
      histogram.push({ metricName: `${name}_sum`, labels, value: this.sumsS[cls] });
      histogram.push({ metricName: `${name}_count`, labels, value: count });
    }
  }
}

/**
 * The HTTP families: `bulwark_http_requests_total` and
 * `bulwark_http_request_duration_seconds` by `route` (the route TEMPLATE,
 * e.g. `/products/:id`, or `unmatched`), `method` and `status_class`
 * (`2xx`…), and `bulwark_http_requests_in_flight`. Series are created once
 * per route and method and handed to the hooks pre-bound (see
 * `HttpMetrics`), so recording a request never builds a label object or a
 * hash string. Label values are bounded by the registered routes, seven
 * methods plus `other`, and five status classes.
 */
export class HttpRequestsMetric {
  private readonly routes = new Map<string, Map<string, RouteSeries>>();
  /** Requests in flight now: the app's raw-request counter (see {@link countInFlightWith}). */
  private inFlight: () => number = () => 0;

  /**
   * Reads the in-flight gauge from `source` on scrape: the process already
   * counts every raw request until its response closes (load shedding's
   * `InFlightCounter`), so metrics add no listener of their own.
   */
  countInFlightWith(source: () => number): void {
    this.inFlight = source;
  }

  /** The series of `route` and `method` (created on first use). */
  series(route: string, rawMethod: string): RouteSeries {
    const method = KNOWN_METHODS.has(rawMethod) ? rawMethod : 'other';
    let byMethod = this.routes.get(route);
    if (!byMethod) this.routes.set(route, (byMethod = new Map<string, RouteSeries>()));
    let series = byMethod.get(method);
    if (!series) byMethod.set(method, (series = new RouteSeries(route, method)));
    return series;
  }

  /** A recorder for one route: looks the method's series up once per method. */
  recorder(route: string): (method: string, statusCode: number, seconds: number) => void {
    const byMethod = new Map<string, RouteSeries>();
    return (method, statusCode, seconds) => {
      let series = byMethod.get(method);
      if (!series) byMethod.set(method, (series = this.series(route, method)));
      series.record(statusCode, seconds);
    };
  }

  /** Distinct `route` label values so far (for tests and sanity checks). */
  routeLabels(): string[] {
    return [...this.routes.keys()];
  }

  register(registry: Registry): void {
    const durationName = 'bulwark_http_request_duration_seconds';
    const collect = (counts: Sample[] | undefined, histogram: Sample[] | undefined): void => {
      for (const byMethod of this.routes.values()) for (const series of byMethod.values()) series.appendSamples(counts, histogram, durationName);
    };
    registerExposed(registry, {
      name: 'bulwark_http_requests_total',
      help: 'HTTP requests answered, by route template, method and status class.',
      type: 'counter',
      samples: () => {
        const counts: Sample[] = [];
        collect(counts, undefined);
        return counts;
      },
    });
    registerExposed(registry, {
      name: durationName,
      help: 'HTTP request duration (request received to response written), by route template, method and status class.',
      type: 'histogram',
      samples: () => {
        const histogram: Sample[] = [];
        collect(undefined, histogram);
        return histogram;
      },
    });
    registerExposed(registry, {
      name: 'bulwark_http_requests_in_flight',
      help: 'HTTP requests received and not yet answered.',
      type: 'gauge',
      samples: () => [{ labels: {}, value: this.inFlight() }],
    });
  }
}
