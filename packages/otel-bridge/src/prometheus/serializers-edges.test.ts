// What /metrics prints from a collection, at the edges: OpenMetrics and the protobuf exposition
// (data of a shape the bridge does not know, label names with a leading digit, a null value, the
// scope's version and schema URL, `# UNIT` only when the name ends with it, a missing description,
// families shared by name), the text serializer's input (an exponential histogram replaced, the
// rest kept as is) and the Prometheus names with their bounded cache.
import { ValueType } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type DataPoint,
  DataPointType,
  type MetricData,
  type ResourceMetrics,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { decodeMetricFamilies } from '../../../../test/support/prometheus-protobuf.js';
import type { MirroredExponentialHistogram } from '../kinds/index.js';
import { serializeOpenMetrics } from './openmetrics.js';
import { renameForPrometheus } from './prometheus-naming.js';
import { serializeProtobuf } from './prometheus-protobuf.js';
import { forTextSerializer } from './prometheus-text.js';

type Shape = 'counter' | 'gauge' | 'exponential' | 'unknown';

function metric(
  name: string,
  shape: Shape,
  points: Array<DataPoint<number | MirroredExponentialHistogram>>,
  descriptor: { unit?: string; description?: string } = {},
): MetricData {
  const base = {
    descriptor: {
      name,
      unit: descriptor.unit ?? '',
      description: descriptor.description ?? '',
      valueType: ValueType.DOUBLE,
    },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPoints: points,
  };
  const type =
    shape === 'counter'
      ? { dataPointType: DataPointType.SUM, isMonotonic: true }
      : shape === 'gauge'
        ? { dataPointType: DataPointType.GAUGE }
        : shape === 'exponential'
          ? { dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM }
          : { dataPointType: 99 }; // a data point type no export shape has
  return { ...base, ...type } as unknown as MetricData;
}

function point<V>(value: V, attributes: Record<string, string> = {}): DataPoint<V> {
  return { startTime: [1, 0], endTime: [2, 0], attributes, value };
}

function collection(
  scopes: ScopeMetrics[],
  resource: Record<string, unknown> = {},
): ResourceMetrics {
  return { resource: { attributes: resource } as never, scopeMetrics: scopes };
}

const scope = (metrics: MetricData[], name = 's'): ScopeMetrics => ({
  scope: { name },
  metrics,
});

const EXPONENTIAL: MirroredExponentialHistogram = {
  count: 3,
  sum: 6,
  min: 1,
  max: 3,
  scale: 0,
  zeroCount: 0,
  positive: { offset: 0, bucketCounts: [1, 2] },
  negative: { offset: 0, bucketCounts: [] },
};

const TARGET = '# TYPE target info\n# HELP target Target metadata\ntarget_info 1\n';

describe('serializeOpenMetrics at the edges', () => {
  it('prints nothing for data of a shape the bridge does not know', () => {
    const text = serializeOpenMetrics(
      collection([scope([metric('u', 'unknown', [point(1)]), metric('g', 'gauge', [point(2)])])]),
    );
    expect(text).toBe(
      `${TARGET}# TYPE g gauge\n# HELP g description missing\ng{otel_scope_name="s"} 2\n# EOF\n`,
    );
  });

  it('prefixes label names that start with a digit, and prints a null value as empty', () => {
    const text = serializeOpenMetrics(
      collection([], { '0a': 'x', '9b': 'y', a9: 'z', ':c': 'w', n: null }),
    );
    expect(text).toBe(
      '# TYPE target info\n# HELP target Target metadata\ntarget_info{_0a="x",_9b="y",a9="z",_c="w",n=""} 1\n# EOF\n',
    );
  });

  it('labels every series with the scope’s name, schema URL and version', () => {
    const text = serializeOpenMetrics(
      collection([
        {
          scope: { name: 's', version: '1.2.3', schemaUrl: 'https://example.com/schema' },
          metrics: [metric('g', 'gauge', [point(2, { k: 'v' })])],
        },
      ]),
    );
    expect(text).toContain(
      'g{k="v",otel_scope_name="s",otel_scope_schema_url="https://example.com/schema",otel_scope_version="1.2.3"} 2\n',
    );
  });

  it('prints # UNIT only for a family whose name ends with the unit, and the description escaped', () => {
    const text = serializeOpenMetrics(
      collection([
        scope([
          metric('x_seconds', 'gauge', [point(1)], { unit: 'seconds', description: 'a\nb' }),
          metric('y', 'gauge', [point(1)], { unit: 'seconds', description: 'd' }),
          metric('z_', 'gauge', [point(1)], { description: 'e' }),
        ]),
      ]),
    );
    expect(text).toBe(
      `${TARGET}# TYPE x_seconds gauge\n# UNIT x_seconds seconds\n# HELP x_seconds a\\nb\nx_seconds{otel_scope_name="s"} 1\n` +
        '# TYPE y gauge\n# HELP y d\ny{otel_scope_name="s"} 1\n' +
        '# TYPE z_ gauge\n# HELP z_ e\nz_{otel_scope_name="s"} 1\n# EOF\n',
    );
  });
});

interface Decoded {
  name: string;
  help?: string;
  type?: string;
  metric: Array<{
    label?: Array<{ name: string; value: string }>;
    counter?: { value: number };
    gauge?: { value: number };
  }>;
}

const decode = (body: Uint8Array): Decoded[] => decodeMetricFamilies<Decoded>(body);

const label = (name: string, value: string) => ({ name, value });

describe('serializeProtobuf at the edges', () => {
  it('starts with target_info, the resource’s labels on a gauge of 1, and skips unknown shapes', () => {
    const families = decode(
      serializeProtobuf(
        collection(
          [scope([metric('u', 'unknown', [point(1)]), metric('g', 'gauge', [point(2)])])],
          {
            '9b': 'y',
            n: null,
          },
        ),
      ),
    );
    expect(families).toEqual([
      {
        name: 'target_info',
        help: 'Target metadata',
        type: 'GAUGE',
        metric: [{ label: [label('_9b', 'y'), label('n', '')], gauge: { value: 1 } }],
      },
      {
        name: 'g',
        help: 'description missing',
        type: 'GAUGE',
        metric: [{ label: [label('otel_scope_name', 's')], gauge: { value: 2 } }],
      },
    ]);
  });

  it('writes one family per name: the same kind from two scopes together, a metric named target_info in target_info', () => {
    const families = decode(
      serializeProtobuf(
        collection([
          scope([metric('c', 'counter', [point(1)], { description: 'first' })], 'a'),
          scope([metric('c', 'counter', [point(2)], { description: 'second' })], 'b'),
          scope([metric('target_info', 'gauge', [point(5, { k: 'v' })])], 'c'),
        ]),
      ),
    );
    expect(families.map((f) => [f.name, f.help, f.metric.length])).toEqual([
      ['target_info', 'Target metadata', 2],
      ['c_total', 'first', 2],
    ]);
    expect(families[1]?.metric.map((m) => m.counter?.value)).toEqual([1, 2]);
  });

  it('keeps the first kind of two under one name, and writes no family without points', () => {
    const families = decode(
      serializeProtobuf(
        collection([
          scope([
            metric('x', 'gauge', [point(1)]),
            metric('x', 'counter', [point(7)]),
            metric('x_total', 'gauge', [point(8)]),
            metric('x', 'gauge', [point(3)]),
            metric('empty', 'gauge', []),
          ]),
        ]),
      ),
    );
    expect(families.map((f) => [f.name, f.type])).toEqual([
      ['target_info', 'GAUGE'],
      ['x', 'GAUGE'],
      ['x_total', 'COUNTER'],
    ]);
    expect(families[1]?.metric).toEqual([
      { label: [label('otel_scope_name', 's')], gauge: { value: 1 } },
      { label: [label('otel_scope_name', 's')], gauge: { value: 3 } },
    ]);
    expect(families[2]?.metric).toEqual([
      { label: [label('otel_scope_name', 's')], counter: { value: 7 } },
    ]);
  });
});

describe('forTextSerializer', () => {
  it('returns the collection itself when no metric needs replacing', () => {
    const data = collection([
      scope([metric('g', 'gauge', [point(1)]), metric('u', 'unknown', [point(2)])]),
    ]);
    expect(forTextSerializer(data)).toBe(data);
  });

  it('replaces an exponential histogram by a histogram of its count and sum, other scopes and metrics as they are', () => {
    const kept = scope([metric('g', 'gauge', [point(1)])], 'kept');
    const gauge = metric('g2', 'gauge', [point(2)]);
    const exponential = metric('e', 'exponential', [point(EXPONENTIAL, { k: 'v' })]);
    const data = collection([kept, scope([gauge, exponential], 'changed')]);
    const out = forTextSerializer(data);
    expect(out).not.toBe(data);
    expect(out.resource).toBe(data.resource);
    expect(out.scopeMetrics[0]).toBe(kept);
    const changed = out.scopeMetrics[1];
    expect(changed?.scope).toEqual({ name: 'changed' });
    expect(changed?.metrics[0]).toBe(gauge);
    expect(changed?.metrics[1]).toEqual({
      ...exponential,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: [
        {
          ...point(EXPONENTIAL, { k: 'v' }),
          value: { count: 3, sum: 6, buckets: { boundaries: [], counts: [3] } },
        },
      ],
    });
    // the input is left as it was
    expect(data.scopeMetrics[1]?.metrics[1]).toBe(exponential);
    expect(exponential.dataPointType).toBe(DataPointType.EXPONENTIAL_HISTOGRAM);
  });
});

describe('renameForPrometheus', () => {
  it('leaves data of a shape the bridge does not know as it is', () => {
    const unknown = metric('u.v', 'unknown', [point(1)], { unit: 's' });
    const out = renameForPrometheus(collection([scope([unknown])]), 'opentelemetry', new Map());
    expect(out.scopeMetrics[0]?.metrics[0]).toBe(unknown);
  });

  it('reads names from its cache, and keeps at most 10 000 of them', () => {
    const cache = new Map<string, { name: string; unit: string }>();
    const gauge = metric('load', 'gauge', [point(1)], { unit: 's' });
    const first = renameForPrometheus(collection([scope([gauge])]), 'opentelemetry', cache);
    expect(first.scopeMetrics[0]?.metrics[0]?.descriptor).toMatchObject({
      name: 'load_seconds',
      unit: 'seconds',
    });
    expect(cache.size).toBe(1);
    const [key] = cache.keys();
    cache.set(key as string, { name: 'cached', unit: 'u' });
    const again = renameForPrometheus(collection([scope([gauge])]), 'opentelemetry', cache);
    expect(again.scopeMetrics[0]?.metrics[0]?.descriptor).toMatchObject({
      name: 'cached',
      unit: 'u',
    });

    const many = Array.from({ length: 10_050 }, (_, i) => metric(`m${i}`, 'gauge', [point(1)]));
    const out = renameForPrometheus(collection([scope(many)]), 'opentelemetry', cache);
    expect(cache.size).toBe(10_000);
    expect(out.scopeMetrics[0]?.metrics[10_049]?.descriptor.name).toBe('m10049');
  });
});
