// prometheusLabels at its edges: names that still clash when a collection reaches /metrics (in one
// scope, across scopes, a histogram's sample names, data of a shape the bridge does not know, under
// either naming), the producer's own errors kept, a lone point relabelled, label sets told apart
// by their text whatever the key order, exemplars and values of merged points.
import { ValueType } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type CollectionResult,
  type DataPoint,
  DataPointType,
  type Histogram,
  type MetricData,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import type { BridgeExemplar, ExemplarCarrier } from '../exemplars/types.js';
import { prometheusLabels } from './prometheus-labels.js';
import type { PrometheusNaming } from './prometheus-naming.js';

type Shape = 'counter' | 'gauge' | 'histogram' | 'unknown';

function metric(
  name: string,
  shape: Shape,
  points: Array<DataPoint<number | Histogram> & ExemplarCarrier>,
  unit = '',
): MetricData {
  const base = {
    descriptor: { name, unit, description: '', valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPoints: points,
  };
  if (shape === 'counter')
    return { ...base, dataPointType: DataPointType.SUM, isMonotonic: true } as MetricData;
  if (shape === 'gauge') return { ...base, dataPointType: DataPointType.GAUGE } as MetricData;
  if (shape === 'histogram')
    return { ...base, dataPointType: DataPointType.HISTOGRAM } as MetricData;
  // a data point type no export shape has
  return { ...base, dataPointType: 99 } as unknown as MetricData;
}

function point<V>(attributes: Record<string, string>, value: V): DataPoint<V> {
  return { startTime: [1, 0], endTime: [2, 0], attributes, value };
}

const hist = (boundaries: number[], counts: number[]): Histogram => ({
  buckets: { boundaries, counts },
  count: counts.reduce((a, b) => a + b, 0),
  sum: 1,
});

async function collect(
  scopes: ScopeMetrics[],
  naming?: PrometheusNaming,
  errors: unknown[] = [],
): Promise<CollectionResult> {
  const result: CollectionResult = {
    resourceMetrics: { resource: undefined as never, scopeMetrics: scopes },
    errors,
  };
  const producer = { collect: async () => result };
  return (
    naming === undefined ? prometheusLabels(producer) : prometheusLabels(producer, naming)
  ).collect();
}

const names = (result: CollectionResult) =>
  result.resourceMetrics.scopeMetrics.map((s) => s.metrics.map((m) => m.descriptor.name));
const clashes = (result: CollectionResult) =>
  result.errors.map((e) => [(e as { code?: string }).code, (e as Error).message]);

describe('prometheusLabels: names that still clash on /metrics', () => {
  it('leaves out the second metric of a scope that prints the same series, naming the first', async () => {
    const result = await collect([
      {
        scope: { name: 's' },
        metrics: [
          metric('a.b', 'counter', [point({}, 1)]),
          metric('a_b', 'counter', [point({}, 2)]),
        ],
      },
    ]);
    expect(names(result)).toEqual([['a.b']]);
    expect(clashes(result)).toEqual([
      [
        'name-clash',
        'otel-bridge: metric "a_b" would print the Prometheus series "a_b_total" that "a.b" already prints; it is left out of /metrics. Rename one of them.',
      ],
    ]);
  });

  it('names the scope of the first when the same name comes from two scopes', async () => {
    const result = await collect([
      { scope: { name: 's1' }, metrics: [metric('x', 'gauge', [point({}, 1)])] },
      { scope: { name: 's2' }, metrics: [metric('x', 'gauge', [point({}, 2)])] },
    ]);
    expect(names(result)).toEqual([['x'], []]);
    expect(clashes(result)).toEqual([
      [
        'name-clash',
        'otel-bridge: metric "x" would print the Prometheus series "x" that "x" of scope "s1" already prints; it is left out of /metrics. Rename one of them.',
      ],
    ]);
  });

  it('keeps a metric that comes twice under its own name in one scope', async () => {
    const result = await collect([
      {
        scope: { name: 's' },
        metrics: [metric('x', 'gauge', [point({}, 1)]), metric('x', 'gauge', [point({}, 2)])],
      },
    ]);
    expect(names(result)).toEqual([['x', 'x']]);
    expect(result.errors).toEqual([]);
  });

  it('finds a clash with any sample a histogram prints (_count, _sum, _bucket)', async () => {
    for (const sample of ['h_count', 'h_sum', 'h_bucket']) {
      const result = await collect([
        {
          scope: { name: 's' },
          metrics: [
            metric('h', 'histogram', [point({}, hist([1], [1, 0]))]),
            metric(sample, 'gauge', [point({}, 1)]),
          ],
        },
      ]);
      expect(names(result)).toEqual([['h']]);
      expect(clashes(result).map(([code]) => code)).toEqual(['name-clash']);
    }
  });

  it('finds clashes of data of a shape the bridge does not know, by the name it prints', async () => {
    for (const naming of [undefined, 'unsuffixed'] as const) {
      const result = await collect(
        [
          {
            scope: { name: 's' },
            metrics: [
              metric('u.v', 'unknown', [point({}, 1)]),
              metric('u_v', 'unknown', [point({}, 2)]),
            ],
          },
        ],
        naming,
      );
      expect(names(result)).toEqual([['u.v']]);
      expect(clashes(result).map(([code]) => code)).toEqual(['name-clash']);
    }
  });

  it('finds clashes under the names each naming prints: unit suffixes only with OpenTelemetry’s', async () => {
    const scopes = () => [
      {
        scope: { name: 's' },
        metrics: [
          metric('x', 'gauge', [point({}, 1)], 's'),
          metric('x_seconds', 'gauge', [point({}, 2)]),
        ],
      },
    ];
    for (const naming of [undefined, 'opentelemetry'] as const) {
      const result = await collect(scopes(), naming);
      expect(names(result)).toEqual([['x']]);
      expect(clashes(result).map(([code]) => code)).toEqual(['name-clash']);
    }
    const unsuffixed = await collect(scopes(), 'unsuffixed');
    expect(names(unsuffixed)).toEqual([['x', 'x_seconds']]);
    expect(unsuffixed.errors).toEqual([]);
  });

  it('keeps the errors the wrapped producer reported, before its own', async () => {
    const earlier = new Error('earlier');
    const result = await collect(
      [
        {
          scope: { name: 's' },
          metrics: [metric('a', 'gauge', [point({}, 1)]), metric('a', 'counter', [point({}, 1)])],
        },
      ],
      undefined,
      [earlier],
    );
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toBe(earlier);
    const clashing = await collect(
      [
        {
          scope: { name: 's' },
          metrics: [metric('a.b', 'gauge', [point({}, 1)]), metric('a_b', 'gauge', [point({}, 1)])],
        },
      ],
      undefined,
      [earlier],
    );
    expect(clashing.errors[0]).toBe(earlier);
    expect(clashes(clashing).map(([code]) => code)).toEqual([undefined, 'name-clash']);
  });
});

describe('prometheusLabels: the points of a metric', () => {
  async function points(data: MetricData) {
    const result = await collect([{ scope: { name: 's' }, metrics: [data] }]);
    return result.resourceMetrics.scopeMetrics[0]?.metrics[0]?.dataPoints as Array<
      DataPoint<number | Histogram> & { exemplars?: BridgeExemplar[] }
    >;
  }

  it('relabels a metric’s only point', async () => {
    const out = await points(metric('g', 'gauge', [point({ 'a.b': 'x' }, 3)]));
    expect(out.map((p) => [p.attributes, p.value])).toEqual([[{ a_b: 'x' }, 3]]);
  });

  it('makes one series of label sets that print alike, whatever their keys’ order', async () => {
    const out = await points(
      metric('c', 'counter', [point({ c: '1', 'a.b': 'x' }, 2), point({ c: '1', a_b: 'x' }, 5)]),
    );
    expect(out.map((p) => p.value)).toEqual([7]);
  });

  it('keeps the last point of data of an unknown shape, under the first one’s labels', async () => {
    const out = await points(
      metric('u', 'unknown', [point({ 'a.b': 'x' }, 2), point({ a_b: 'x' }, 5)]),
    );
    expect(out.map((p) => [p.attributes, p.value, p.startTime])).toEqual([
      [{ a_b: 'x' }, 5, [1, 0]],
    ]);
  });

  it('keeps the first histogram of two that cannot merge (other boundaries)', async () => {
    const out = await points(
      metric('h', 'histogram', [
        point({ 'a.b': 'x' }, hist([1], [1, 0])),
        point({ a_b: 'x' }, hist([2], [0, 3])),
      ]),
    );
    expect(out.map((p) => [p.attributes, p.value])).toEqual([[{ a_b: 'x' }, hist([1], [1, 0])]]);
  });

  it('merges the exemplars of merged points slot by slot, the later of each', async () => {
    const ex = (time: number): BridgeExemplar => ({
      value: time,
      time,
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
    });
    const first = { ...point({ 'a.b': 'x' }, 1), exemplars: [ex(1), ex(9)] };
    const second = { ...point({ a_b: 'x' }, 2), exemplars: [ex(5), ex(3)] };
    const out = await points(metric('c', 'counter', [first, second]));
    expect(out.map((p) => [p.value, p.exemplars])).toEqual([[3, [ex(5), ex(9)]]]);
    const none = await points(
      metric('c', 'counter', [point({ 'a.b': 'x' }, 1), { ...second, exemplars: [ex(4)] }]),
    );
    expect(none.map((p) => [p.value, p.exemplars])).toEqual([[3, [ex(4)]]]);
  });
});
