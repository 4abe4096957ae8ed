import type { HrTime, Attributes as OtelAttributes } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  type HistogramMetricData,
  InstrumentType,
  type MetricData,
  type ScopeMetrics,
  type SumMetricData,
} from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { histogramShape, monotonicSumShape, sumShape } from '../kinds/export-shapes.js';
import type { MirroredExponentialHistogram, MirroredHistogram } from '../kinds/index.js';
import { ReaderTemporality } from './reader-temporality.js';
import { downscale, STREAM_RULES } from './shape-streams.js';

const DELTA = () => AggregationTemporality.DELTA;
const KEYS = ['route', ...Object.getOwnPropertyNames(Object.prototype)];
const START: HrTime = [100, 0];
const at = (second: number): HrTime => [1000 + second, 0];

function attributes(key: string, value: string): OtelAttributes {
  const out: OtelAttributes = {};
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

function sum(
  points: Array<{ attributes: OtelAttributes; value: number; startTime?: HrTime }>,
  end: HrTime,
  monotonic = true,
): ScopeMetrics[] {
  const data = (monotonic ? monotonicSumShape : sumShape).metricData({
    name: 'requests',
    unit: '',
    description: '',
  }) as SumMetricData;
  const metric = {
    ...data,
    dataPoints: points.map((p) => ({
      startTime: p.startTime ?? START,
      endTime: end,
      attributes: p.attributes,
      value: p.value,
    })),
  };
  return [{ scope: { name: 's' }, metrics: [metric] }];
}

function pointsOf(scopes: ScopeMetrics[]): MetricData['dataPoints'] {
  return scopes[0]?.metrics[0]?.dataPoints ?? [];
}

describe('ReaderTemporality', () => {
  it('delta values of every series add up to its cumulative value, for every reader whatever it collects', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom('a', 'b')), {
          minLength: 1,
          maxLength: 6,
          selector: ([k, v]) => `${k}=${v}`,
        }),
        fc.array(fc.array(fc.nat(1_000), { minLength: 6, maxLength: 6 }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
        (series, intervals, collectsB) => {
          const every = new ReaderTemporality(DELTA);
          const some = new ReaderTemporality(DELTA);
          const cumulative = series.map(() => 0);
          const exists = series.map(() => false);
          const totals = [series.map(() => 0), series.map(() => 0)];
          intervals.forEach((increments, t) => {
            // A series exists from its first increment (0 counts: it may exist with value 0).
            series.forEach((_, i) => {
              const added = increments[i] ?? 0;
              if (added > 0 || t === i) exists[i] = true;
              cumulative[i] = (cumulative[i] as number) + (exists[i] ? added : 0);
            });
            const data = sum(
              series
                .map(([k, v], i) => ({
                  attributes: attributes(k, v),
                  value: cumulative[i] as number,
                }))
                .filter((_, i) => exists[i]),
              at(t),
            );
            const readers: Array<[ReaderTemporality, number[]]> = [[every, totals[0] as number[]]];
            if (collectsB[t] || t === intervals.length - 1)
              readers.push([some, totals[1] as number[]]);
            for (const [reader, total] of readers) {
              const out = reader.apply(data, at(t));
              for (const point of pointsOf(out)) {
                const i = series.findIndex(
                  ([k, v]) => JSON.stringify(attributes(k, v)) === JSON.stringify(point.attributes),
                );
                total[i] = (total[i] as number) + (point.value as number);
                expect(point.value).not.toBe(0); // an unchanged series is left out
              }
              if (out.length > 0)
                expect(out[0]?.metrics[0]?.aggregationTemporality).toBe(
                  AggregationTemporality.DELTA,
                );
            }
          });
          expect(totals[0]).toEqual(cumulative);
          expect(totals[1]).toEqual(cumulative);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('starts a continued series at the previous collection, a new one at the later of its start and the previous collection', () => {
    const reader = new ReaderTemporality(DELTA);
    const a = attributes('route', 'a');
    const b = attributes('route', 'b');
    reader.apply(sum([{ attributes: a, value: 1 }], at(1)), at(1));
    const second = pointsOf(
      reader.apply(
        sum(
          [
            { attributes: a, value: 3 },
            { attributes: b, value: 5 },
          ],
          at(2),
        ),
        at(2),
      ),
    );
    expect(second.map((p) => [p.startTime, p.value])).toEqual([
      [at(1), 2],
      [at(1), 5],
    ]);
    // A series that starts after the previous collection keeps its own start.
    const third = pointsOf(
      reader.apply(
        sum(
          [
            { attributes: a, value: 3 },
            { attributes: b, value: 5 },
            { attributes: attributes('route', 'c'), value: 1, startTime: at(2.5) },
          ],
          at(3),
        ),
        at(3),
      ),
    );
    expect(third.map((p) => [p.startTime, p.value])).toEqual([[at(2.5), 1]]);
  });

  it('exports a restarted series (later start, or a counter that went back) as its new cumulative value, and a series that disappeared and came back from the previous collection', () => {
    const reader = new ReaderTemporality(DELTA);
    const a = attributes('route', 'a');
    reader.apply(sum([{ attributes: a, value: 10 }], at(1)), at(1));
    const restarted = pointsOf(
      reader.apply(sum([{ attributes: a, value: 4, startTime: at(1.5) }], at(2)), at(2)),
    );
    expect(restarted.map((p) => [p.startTime, p.value])).toEqual([[at(1.5), 4]]);
    const wentBack = pointsOf(
      reader.apply(sum([{ attributes: a, value: 3, startTime: at(1.5) }], at(3)), at(3)),
    );
    expect(wentBack.map((p) => [p.startTime, p.value])).toEqual([[at(1.5), 3]]);
    expect(reader.apply(sum([], at(4)), at(4))).toEqual([]); // gone: forgotten
    const back = pointsOf(
      reader.apply(sum([{ attributes: a, value: 7, startTime: at(1.5) }], at(5)), at(5)),
    );
    expect(back.map((p) => [p.startTime, p.value])).toEqual([[at(4), 7]]);
  });

  it('a series restarted with a higher value, and a stream that left the collection altogether, start anew', () => {
    const reader = new ReaderTemporality(DELTA);
    const a = attributes('route', 'a');
    reader.apply(sum([{ attributes: a, value: 10 }], at(1)), at(1));
    const restarted = pointsOf(
      reader.apply(sum([{ attributes: a, value: 15, startTime: at(1.5) }], at(2)), at(2)),
    );
    expect(restarted.map((p) => [p.startTime, p.value])).toEqual([[at(1.5), 15]]);
    expect(reader.apply([], at(3))).toEqual([]); // the metric is gone (its recorder removed)
    const back = pointsOf(
      reader.apply(sum([{ attributes: a, value: 16, startTime: at(1.5) }], at(4)), at(4)),
    );
    expect(back.map((p) => [p.startTime, p.value])).toEqual([[at(3), 16]]);
  });

  it('keeps an up-down counter that goes down, and leaves a stream without change out', () => {
    const reader = new ReaderTemporality(DELTA);
    const a = attributes('pool', 'p');
    reader.apply(sum([{ attributes: a, value: 5 }], at(1), false), at(1));
    expect(
      pointsOf(reader.apply(sum([{ attributes: a, value: 2 }], at(2), false), at(2))).map(
        (p) => p.value,
      ),
    ).toEqual([-3]);
    expect(reader.apply(sum([{ attributes: a, value: 2 }], at(3), false), at(3))).toEqual([]);
  });

  it('passes a cumulative reader the same object, and asks its selector by instrument type', () => {
    const asked: InstrumentType[] = [];
    const reader = new ReaderTemporality((type) => {
      asked.push(type);
      return type === InstrumentType.HISTOGRAM
        ? AggregationTemporality.DELTA
        : AggregationTemporality.CUMULATIVE;
    });
    const data = sum([{ attributes: {}, value: 1 }], at(1));
    const out = reader.apply(data, at(1));
    expect(out[0]?.metrics[0]).toBe(data[0]?.metrics[0]); // a counter stays cumulative, untouched
    expect(asked).toEqual(expect.arrayContaining(Object.values(InstrumentType)));
    const cumulative = new ReaderTemporality(() => AggregationTemporality.CUMULATIVE);
    expect(cumulative.apply(data, at(1))).toBe(data);
  });

  it('histograms: bucket counts, count and sum of the interval; min and max only where the interval is the whole series', () => {
    const reader = new ReaderTemporality(DELTA);
    const value = (
      counts: number[],
      sumOf: number,
      min: number,
      max: number,
    ): MirroredHistogram => ({
      buckets: { boundaries: [1, 5], counts },
      count: counts.reduce((a, b) => a + b, 0),
      sum: sumOf,
      min,
      max,
    });
    const data = (v: MirroredHistogram, t: number): ScopeMetrics[] => [
      {
        scope: { name: 's' },
        metrics: [
          {
            ...(histogramShape.metricData({
              name: 'h',
              unit: '',
              description: '',
            }) as HistogramMetricData),
            dataPoints: [{ startTime: START, endTime: at(t), attributes: {}, value: v }],
          },
        ],
      },
    ];
    const first = pointsOf(reader.apply(data(value([1, 0, 0], 0.5, 0.5, 0.5), 1), at(1)));
    expect(first[0]?.value).toMatchObject({ min: 0.5, max: 0.5, count: 1 });
    const second = pointsOf(reader.apply(data(value([1, 2, 1], 16.5, 0.5, 9), 2), at(2)));
    expect(second[0]?.value).toEqual({
      buckets: { boundaries: [1, 5], counts: [0, 2, 1] },
      count: 3,
      sum: 16,
    });
    expect(second[0]?.startTime).toEqual(at(1));
  });

  it('exponential histograms: the interval at the lower of the two scales, exact per bucket', () => {
    const rules = STREAM_RULES.get(
      [...STREAM_RULES.keys()].find(
        (s) => s.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM,
      ) as never,
    );
    fc.assert(
      fc.property(
        fc.integer({ min: -20, max: 20 }),
        fc.array(fc.nat(5), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(5), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 3 }),
        (offset, before, added, by) => {
          const previous: MirroredExponentialHistogram = {
            count: before.reduce((a, b) => a + b, 0) + 1,
            sum: 10,
            scale: 3,
            zeroCount: 1,
            positive: { offset, bucketCounts: before },
            negative: { offset: 0, bucketCounts: [] },
          };
          // The cumulative value later: more counts, then downscaled by `by`.
          const grown = before.map((n, i) => n + (added[i] ?? 0));
          const total = grown.reduce((a, b) => a + b, 0) + 2;
          const current: MirroredExponentialHistogram = {
            count: total,
            sum: 25,
            scale: 3 - by,
            zeroCount: 2,
            positive: downscale({ offset, bucketCounts: grown }, by),
            negative: { offset: 0, bucketCounts: [] },
          };
          const delta = rules?.delta(current, previous) as MirroredExponentialHistogram | null;
          if (total === previous.count) return expect(delta).toBeNull();
          expect(delta).toMatchObject({
            count: total - previous.count,
            sum: 15,
            zeroCount: 1,
            scale: 3 - by,
          });
          // previous (downscaled) + delta = current, bucket by bucket
          const back = new Map<number, number>();
          const add = (b: { offset: number; bucketCounts: number[] }) =>
            b.bucketCounts.forEach((n, i) => {
              back.set(b.offset + i, (back.get(b.offset + i) ?? 0) + n);
            });
          add(downscale(previous.positive, by));
          add((delta as MirroredExponentialHistogram).positive);
          const expected = new Map<number, number>();
          current.positive.bucketCounts.forEach((n, i) => {
            expected.set(current.positive.offset + i, n);
          });
          for (const [i, n] of expected) expect(back.get(i) ?? 0).toBe(n);
          for (const [i, n] of back) expect(expected.get(i) ?? 0).toBe(n);
        },
      ),
    );
  });
});
