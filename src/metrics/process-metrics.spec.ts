import { Counter, Gauge, Registry } from 'prom-client';
import { mergeProcessFamilies, renderFamilies, type MetricFamily } from './process-metrics';

async function familiesOf(build: (registry: Registry) => void): Promise<MetricFamily[]> {
  const registry = new Registry();
  build(registry);
  return (await registry.getMetricsAsJSON()) as unknown as MetricFamily[];
}

describe('machine metrics of several app processes', () => {
  it('keeps every process’s series apart, labelled with its process, under one HELP and TYPE per family', async () => {
    const perProcess = await Promise.all(
      [0, 1].map(async (index) => ({
        index,
        families: await familiesOf((registry) => {
          new Counter({ name: 'requests_total', help: 'Requests.', labelNames: ['route'], registers: [registry] }).inc({ route: '/a"b' }, index + 1);
          new Gauge({ name: 'limit', help: 'The limit.', registers: [registry] }).set(10 * (index + 1));
        }),
      })),
    );
    const text = await renderFamilies(mergeProcessFamilies([perProcess[1], perProcess[0]]));
    expect(text).toBe(
      [
        '# HELP requests_total Requests.',
        '# TYPE requests_total counter',
        'requests_total{route="/a\\"b",process="0"} 1',
        'requests_total{route="/a\\"b",process="1"} 2',
        '',
        '# HELP limit The limit.',
        '# TYPE limit gauge',
        'limit{process="0"} 10',
        'limit{process="1"} 20',
        '',
      ].join('\n'),
    );
  });

  it('a family only some processes have is still rendered (a process that has not registered it yet)', async () => {
    const one = await familiesOf((registry) => new Gauge({ name: 'only_here', help: 'x', registers: [registry] }).set(1));
    const text = await renderFamilies(
      mergeProcessFamilies([
        { index: 1, families: one },
        { index: 0, families: [] },
      ]),
    );
    expect(text).toContain('only_here{process="1"} 1');
  });
});
