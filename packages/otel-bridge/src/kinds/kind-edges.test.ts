// The kind adapters at their edges, input by input: snapshot points a hand-written metric may hand
// over (malformed ones refused, not exported as garbage), an empty histogram's round trip through
// core's state, merges core refuses, the unknown-kind report, and what Prometheus decodes from the
// protobuf exposition of each shape (exemplars per bucket and per counter, an infinite bound, a
// native histogram Prometheus cannot read). StrykerJS survivors of kinds/ (docs/reliability.md).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { exponentialHistogram } from '@mvx-metrics/core';
import { createTestRecorder, exponentialHistogramPoint } from '@mvx-metrics/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OtelBridgeError } from '../errors/otel-bridge-error.js';
import type { BridgeExemplar } from '../exemplars/types.js';
import { Reporter } from '../internal/report.js';
import { counterAdapter } from './counter.js';
import { exponentialHistogramAdapter } from './exponential-histogram.js';
import { exponentialHistogramShape, monotonicSumShape } from './export-shapes.js';
import { gaugeAdapter } from './gauge.js';
import { histogramAdapter } from './histogram.js';
import { histogramOpenMetrics, histogramProtobuf } from './histogram-openmetrics.js';
import { adapterFor, fallbackAdapter, KIND_ADAPTERS } from './index.js';
import type { MirroredExponentialHistogram, MirroredHistogram, ProtobufWriter } from './types.js';
import { upDownCounterAdapter } from './up-down-counter.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';

const exemplar = (value: number, time = 1_700_000_000_000): BridgeExemplar => ({
  value,
  time,
  traceId: TRACE,
  spanId: SPAN,
});

/** A function carrying `fields`: has every property a point needs, but is no plain object. */
const callable = (fields: object) => Object.assign(() => undefined, fields);

// --- the protobuf exposition, as Prometheus decodes it ---------------------------------------------

const PROTO = fileURLToPath(
  new URL('../../proto/io/prometheus/client/metrics.proto', import.meta.url),
);

interface DecodedBucket {
  cumulativeCount?: number;
  upperBound?: number;
  exemplar?: { label?: Array<{ name: string; value: string }>; value?: number };
}
interface DecodedMetric {
  counter?: { value?: number; exemplar?: { label?: unknown[]; value?: number } };
  histogram?: {
    sampleCount?: number;
    sampleSum?: number;
    bucket?: DecodedBucket[];
    schema?: number;
    positiveSpan?: unknown[];
  };
}

// biome-ignore lint/suspicious/noExplicitAny: protobufjs' reflected type, loaded at run time
let familyType: any;
function metricFamily() {
  const protobuf = createRequire(import.meta.url)('protobufjs');
  familyType ??= protobuf.loadSync(PROTO).lookupType('io.prometheus.client.MetricFamily');
  return familyType;
}

/**
 * One point written by `writer`, in a MetricFamily encoded and decoded again with protobufjs and
 * Prometheus' client_model definition: what a Prometheus scrape reads.
 */
function scraped(writer: ProtobufWriter, point: object): DecodedMetric {
  const type = metricFamily();
  const value = writer.value(point as Parameters<ProtobufWriter['value']>[0]);
  const family = { name: 'x', help: 'x', type: writer.type, metric: [{ label: [], ...value }] };
  const bytes = type.encode(family).finish();
  const decoded = type.toObject(type.decode(bytes), { longs: Number, defaults: false });
  return (decoded.metric as DecodedMetric[])[0] as DecodedMetric;
}

function histogramPoint(
  boundaries: number[],
  counts: number[],
  exemplars?: Array<BridgeExemplar | undefined>,
): object {
  const count = counts.reduce((a, b) => a + b, 0);
  const value: MirroredHistogram = { buckets: { boundaries, counts }, count, sum: count };
  return {
    attributes: {},
    startTime: [0, 0],
    endTime: [0, 0],
    value,
    ...(exemplars === undefined ? {} : { exemplars }),
  };
}

const bucketsOf = (metric: DecodedMetric) =>
  (metric.histogram?.bucket ?? []).map((b) => ({
    le: b.upperBound,
    count: b.cumulativeCount ?? 0,
    exemplar: b.exemplar?.value,
  }));

describe('snapshot points a hand-written metric may hand over', () => {
  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a numeric string', '3'],
    ['a bigint', 3n],
    ['null', null],
    ['absent', undefined],
  ])('a number kind exports no value for %s', (_, value) => {
    for (const adapter of [counterAdapter, upDownCounterAdapter, gaugeAdapter]) {
      expect(adapter.fromSnapshot({ attributes: {}, value })).toBeUndefined();
    }
  });

  it('a number kind exports any finite number as it is', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        expect(gaugeAdapter.fromSnapshot({ attributes: {}, value })).toBe(value);
      }),
    );
  });

  it('a histogram point must be a plain object: a function carrying every field is none', () => {
    const fields = { count: 1, sum: 2, min: 2, max: 2, boundaries: [1], bucketCounts: [0, 1] };
    expect(histogramAdapter.fromSnapshot(fields)).toMatchObject({ count: 1, sum: 2 });
    expect(histogramAdapter.fromSnapshot(callable(fields))).toBeUndefined();
  });

  it('an empty histogram keeps no min/max through core’s state and back (OpenTelemetry: only once observed)', () => {
    const empty: MirroredHistogram = {
      buckets: { boundaries: [1], counts: [0, 0] },
      count: 0,
      sum: 0,
    };
    const state = histogramAdapter.begin(empty);
    expect(state).toBeDefined();
    const back = histogramAdapter.end(state as NonNullable<typeof state>);
    expect(back).toEqual(empty);
    expect(back).not.toHaveProperty('min');
    expect(back).not.toHaveProperty('max');
  });

  describe('exponential histogram', () => {
    const good = () => {
      const metric = exponentialHistogram({
        name: 'h',
        on: 'obs',
        value: (e: { v: number }) => e.v,
      });
      const recorder = createTestRecorder([metric]);
      for (const v of [0.5, 3, -2]) recorder.registerEvent({ type: 'obs', v });
      return { ...exponentialHistogramPoint(recorder, 'h') } as Record<string, unknown>;
    };

    it('reads a well-formed point', () => {
      expect(exponentialHistogramAdapter.fromSnapshot(good())).toMatchObject({
        count: 3,
        sum: 1.5,
        min: -2,
        max: 3,
      });
    });

    it.each([
      ['a negative count', { count: -1 }],
      ['a fractional count', { count: 1.5 }],
      ['a count past the safe integers', { count: 2 ** 53 }],
      ['a count as a string', { count: '3' }],
      ['a negative zero count', { zeroCount: -1 }],
      ['a negative bucket count', { positive: { offset: 0, bucketCounts: [1, -1] } }],
      ['a fractional offset', { negative: { offset: 0.5, bucketCounts: [1] } }],
      ['buckets that are a function', { positive: callable({ offset: 0, bucketCounts: [1] }) }],
      ['a sum as a string', { sum: '1.5' }],
      ['a fractional scale', { scale: 0.5 }],
    ])('refuses a point with %s', (_, change) => {
      expect(exponentialHistogramAdapter.fromSnapshot({ ...good(), ...change })).toBeUndefined();
    });

    it('refuses a function carrying every field of a point', () => {
      expect(exponentialHistogramAdapter.fromSnapshot(callable(good()))).toBeUndefined();
    });

    it('exports min/max of another type as 0, never as that value', () => {
      const value = exponentialHistogramAdapter.fromSnapshot({ ...good(), min: '-2', max: null });
      expect(value).toMatchObject({ count: 3, min: 0, max: 0 });
    });

    it('merges two points whose sum leaves the finite range into nothing (the merge is refused)', () => {
      const big = exponentialHistogramAdapter.fromSnapshot({
        ...good(),
        sum: Number.MAX_VALUE,
      }) as MirroredExponentialHistogram;
      expect(big).toBeDefined();
      expect(exponentialHistogramAdapter.merge(big, big)).toBeUndefined();
      expect(exponentialHistogramShape.merge(big, big)).toBeUndefined();
      expect(exponentialHistogramAdapter.merge(big, { ...big, sum: -1 })).toMatchObject({
        count: 6,
      });
    });

    it('keeps OpenTelemetry’s default number of exemplars: min(20, maxSize)', () => {
      const kept = (maxSize: number | undefined) => {
        const factory = exponentialHistogramAdapter.exemplarReservoir({
          name: 'h',
          kind: 'exponentialHistogram',
          selector: 'obs',
          ...(maxSize === undefined ? {} : { maxSize }),
        });
        const reservoir = factory?.();
        for (let i = 1; i <= 50; i++) reservoir?.offer(exemplar(i, i));
        return reservoir?.collect()?.length;
      };
      expect(kept(undefined)).toBe(20);
      expect(kept(160)).toBe(20);
      expect(kept(5)).toBe(5);
      expect(kept(2)).toBe(2);
    });
  });
});

describe('adapterFor a kind no adapter handles', () => {
  it('exports it as a gauge, with or without a reporter to tell', () => {
    expect(adapterFor({ name: 'ns.odd', kind: 'ratio' })).toBe(fallbackAdapter());
    expect(adapterFor({ name: 'ns.odd', kind: 'ratio' }).kind).toBe('gauge');
  });

  it('reports once per metric and kind, naming both and every kind it knows', () => {
    const errors: OtelBridgeError[] = [];
    const reporter = new Reporter((error) => errors.push(error as OtelBridgeError));
    adapterFor({ name: 'ns.a', kind: 'ratio' }, reporter);
    adapterFor({ name: 'ns.a', kind: 'ratio' }, reporter);
    adapterFor({ name: 'ns.b', kind: 'ratio' }, reporter);
    adapterFor({ name: 'ns.a', kind: 'summary' }, reporter);
    expect(errors.map((e) => e.code)).toEqual(['unknown-kind', 'unknown-kind', 'unknown-kind']);
    expect(
      errors.map((e) => /"([^"]+)" declares the kind "([^"]+)"/.exec(e.message)?.slice(1)),
    ).toEqual([
      ['ns.a', 'ratio'],
      ['ns.b', 'ratio'],
      ['ns.a', 'summary'],
    ]);
    const known = KIND_ADAPTERS.map((a) => a.kind).join(', ');
    expect(known).toBe('counter, upDownCounter, gauge, histogram, exponentialHistogram');
    expect(errors[0]?.message).toContain(`(it knows ${known})`);
  });
});

describe('the protobuf exposition, as Prometheus decodes it', () => {
  it('a histogram: one bucket per bound and +Inf, cumulative, nothing before the first', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: -5, max: 20 }), { maxLength: 5 }),
        fc.array(fc.nat({ max: 9 }), { minLength: 6, maxLength: 6 }),
        (bounds, raw) => {
          const boundaries = [...bounds].sort((a, b) => a - b);
          const counts = raw.slice(0, boundaries.length + 1);
          const buckets = bucketsOf(scraped(histogramProtobuf, histogramPoint(boundaries, counts)));
          let cumulative = 0;
          expect(buckets).toEqual(
            counts.map((c, i) => {
              cumulative += c;
              return {
                le: boundaries[i] ?? Number.POSITIVE_INFINITY,
                count: cumulative,
                exemplar: undefined,
              };
            }),
          );
        },
      ),
    );
  });

  it('a histogram whose last bound is +Inf (a foreign point) ends at that bucket', () => {
    const buckets = bucketsOf(
      scraped(histogramProtobuf, histogramPoint([1, Number.POSITIVE_INFINITY], [1, 2, 3])),
    );
    expect(buckets.map((b) => [b.le, b.count])).toEqual([
      [1, 1],
      [Number.POSITIVE_INFINITY, 3],
    ]);
  });

  it('a histogram carries each exemplar on its own bucket only: (previous bound, bound]', () => {
    const slot1 = (value: number) =>
      bucketsOf(
        scraped(
          histogramProtobuf,
          histogramPoint([1, 5], [0, 1, 0], [undefined, exemplar(value), undefined]),
        ),
      ).map((b) => b.exemplar);
    expect(slot1(5)).toEqual([undefined, 5, undefined]);
    expect(slot1(1.5)).toEqual([undefined, 1.5, undefined]);
    expect(slot1(1)).toEqual([undefined, undefined, undefined]);
    expect(slot1(7)).toEqual([undefined, undefined, undefined]);
    const first = scraped(
      histogramProtobuf,
      histogramPoint([1, 5], [1, 0, 1], [exemplar(0.5), undefined, exemplar(9)]),
    );
    expect(bucketsOf(first).map((b) => b.exemplar)).toEqual([0.5, undefined, 9]);
    expect(first.histogram?.bucket?.[0]?.exemplar?.label).toEqual([
      { name: 'trace_id', value: TRACE },
      { name: 'span_id', value: SPAN },
    ]);
  });

  it('a histogram never carries an exemplar outside its bucket, for any bounds and values', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.option(fc.integer({ min: -2, max: 25 }), { nil: undefined }), {
          minLength: 6,
          maxLength: 6,
        }),
        (bounds, values) => {
          const boundaries = [...bounds].sort((a, b) => a - b);
          const slots = values
            .slice(0, boundaries.length + 1)
            .map((v) => (v === undefined ? undefined : exemplar(v)));
          const counts = new Array<number>(boundaries.length + 1).fill(1);
          const buckets = bucketsOf(
            scraped(histogramProtobuf, histogramPoint(boundaries, counts, slots)),
          );
          buckets.forEach((bucket, i) => {
            const lower = i === 0 ? Number.NEGATIVE_INFINITY : (boundaries[i - 1] as number);
            const value = slots[i]?.value;
            const inside = value !== undefined && value > lower && value <= (bucket.le as number);
            expect(bucket.exemplar).toBe(inside ? value : undefined);
          });
        },
      ),
    );
  });

  it('a counter carries the latest exemplar its reservoir kept, and none when it kept none', () => {
    const point = (exemplars?: Array<BridgeExemplar | undefined>) => ({
      attributes: {},
      startTime: [0, 0],
      endTime: [0, 0],
      value: 7,
      ...(exemplars === undefined ? {} : { exemplars }),
    });
    const withOne = scraped(
      monotonicSumShape.protobuf,
      point([exemplar(2, 1_700_000_000_000), exemplar(3, 1_700_000_000_500), undefined]),
    );
    expect(withOne.counter).toEqual({
      value: 7,
      exemplar: {
        label: [
          { name: 'trace_id', value: TRACE },
          { name: 'span_id', value: SPAN },
        ],
        value: 3,
        timestamp: { seconds: 1_700_000_000, nanos: 500_000_000 },
      },
    });
    expect(scraped(monotonicSumShape.protobuf, point()).counter).toEqual({ value: 7 });
    expect(scraped(monotonicSumShape.protobuf, point([undefined])).counter).toEqual({ value: 7 });
  });

  it('a counter family always ends in _total, whatever name it is given', () => {
    expect(monotonicSumShape.protobuf.family('ns_requests')).toBe('ns_requests_total');
    expect(monotonicSumShape.protobuf.family('ns_requests_total')).toBe('ns_requests_total');
    // OpenMetrics names the family without the last _total only
    expect(monotonicSumShape.openMetrics.family('ns_a_total_b_total')).toBe('ns_a_total_b');
    expect(monotonicSumShape.openMetrics.family('ns_total_total')).toBe('ns_total');
  });

  it('a foreign histogram whose counts stop before +Inf: Prometheus reads +Inf from its count', () => {
    const point = histogramPoint([1, 5], [2, 3], [undefined, undefined, exemplar(7)]);
    const foreign = {
      ...point,
      value: { ...(point as { value: MirroredHistogram }).value, count: 9 },
    };
    const decoded = scraped(histogramProtobuf, foreign);
    // no +Inf bucket: client_model's sample_count is the +Inf bucket
    expect(bucketsOf(decoded)).toEqual([
      { le: 1, count: 2, exemplar: undefined },
      { le: 5, count: 5, exemplar: undefined },
    ]);
    expect(decoded.histogram?.sampleCount).toBe(9);
    const text = histogramOpenMetrics
      .samples('h', '', foreign as never)
      .trim()
      .split('\n');
    expect(text.filter((line) => line.startsWith('h_bucket'))).toEqual([
      'h_bucket{le="1"} 2',
      'h_bucket{le="5"} 5',
      'h_bucket{le="+Inf"} 9',
    ]);
  });

  it('an exponential histogram at a scale Prometheus cannot read (below -4) is a classic histogram of its count and sum', () => {
    const value: MirroredExponentialHistogram = {
      count: 3,
      sum: 1e40,
      scale: -5,
      zeroCount: 0,
      positive: { offset: 0, bucketCounts: [3] },
      negative: { offset: 0, bucketCounts: [] },
    };
    const point = { attributes: {}, startTime: [0, 0], endTime: [0, 0], value };
    expect(scraped(exponentialHistogramShape.protobuf, point).histogram).toEqual({
      sampleCount: 3,
      sampleSum: 1e40,
    });
    const readable = scraped(exponentialHistogramShape.protobuf, {
      ...point,
      value: { ...value, scale: -4 },
    });
    expect(readable.histogram).toMatchObject({ sampleCount: 3, schema: -4 });
  });
});

describe('the OpenMetrics text of an exponential histogram', () => {
  const samples = (value: MirroredExponentialHistogram) =>
    exponentialHistogramShape.openMetrics
      .samples('h', 'k="v"', {
        attributes: {},
        startTime: [0, 0],
        endTime: [0, 0],
        value,
      })
      .trim()
      .split('\n');
  const value: MirroredExponentialHistogram = {
    count: 2,
    sum: 4,
    scale: 0,
    zeroCount: 0,
    positive: { offset: 0, bucketCounts: [2] },
    negative: { offset: 0, bucketCounts: [] },
  };

  it('prints _count and _sum after the +Inf bucket when the point has a sum and no negatives', () => {
    expect(samples(value)).toEqual([
      'h_bucket{k="v",le="+Inf"} 2',
      'h_count{k="v"} 2',
      'h_sum{k="v"} 4',
    ]);
  });

  it('prints the +Inf bucket alone for a point without a sum (optional in OpenTelemetry) or with negatives', () => {
    const { sum: _, ...withoutSum } = value;
    expect(samples(withoutSum)).toEqual(['h_bucket{k="v",le="+Inf"} 2']);
    expect(samples({ ...value, negative: { offset: 0, bucketCounts: [1] } })).toEqual([
      'h_bucket{k="v",le="+Inf"} 2',
    ]);
  });
});
