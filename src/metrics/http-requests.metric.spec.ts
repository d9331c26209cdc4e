import { Registry } from 'prom-client';
import { HttpRequestsMetric, RouteSeries } from './http-requests.metric';

describe('RouteSeries', () => {
  it('counts per status class with cumulative buckets, +Inf, sum and count', () => {
    const series = new RouteSeries('/r', 'GET', [0.01, 0.1]);
    series.record(200, 0.005);
    series.record(204, 0.05);
    series.record(503, 5);
    series.record(99, 0.001); // odd codes are clamped into 1xx / 5xx
    series.record(700, 0.001);
    const counts: Array<{ labels: Record<string, string | number>; value: number }> = [];
    const histogram: Array<{ metricName?: string; labels: Record<string, string | number>; value: number }> = [];
    series.appendSamples(counts, histogram, 'h');
    expect(counts.map((s) => [s.labels.status_class, s.value])).toEqual([
      ['1xx', 1],
      ['2xx', 2],
      ['5xx', 2],
    ]);
    const twoXx = histogram.filter((s) => s.labels.status_class === '2xx');
    expect(twoXx.map((s) => [s.metricName, s.labels.le, s.value])).toEqual([
      ['h_bucket', 0.01, 1],
      ['h_bucket', 0.1, 2],
      ['h_bucket', '+Inf', 2],
      ['h_sum', undefined, 0.055],
      ['h_count', undefined, 2],
    ]);
  });
});

describe('HttpRequestsMetric', () => {
  it('folds unknown methods into "other" and reads in-flight from its source on scrape', async () => {
    const metric = new HttpRequestsMetric();
    const registry = new Registry();
    metric.register(registry);
    const record = metric.recorder('/r');
    for (const method of ['GET', 'BREW', 'PROPFIND', 'GET']) record(method, 200, 0.001);
    let open = 3;
    metric.countInFlightWith(() => open);
    expect(await registry.metrics()).toContain('bulwark_http_requests_in_flight 3');
    open = 1;
    const text = await registry.metrics();
    expect(text).toContain('bulwark_http_requests_total{route="/r",method="GET",status_class="2xx"} 2');
    expect(text).toContain('bulwark_http_requests_total{route="/r",method="other",status_class="2xx"} 2');
    expect(text).toContain('bulwark_http_requests_in_flight 1');
    expect(metric.routeLabels()).toEqual(['/r']);
  });
});
