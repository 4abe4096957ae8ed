import { exponentialHistogram } from '@mvx-metrics/core';
import { exponentialHistogramKind, exponentialLimitsOf } from '@mvx-metrics/core/kinds';
import { createTestRecorder, exponentialHistogramPoint } from '@mvx-metrics/core/testing';
import { DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exponentialHistogramAdapter as adapter } from './exponential-histogram.js';
import type { MirroredExponentialHistogram } from './types.js';

type Obs = { type: 'obs'; v: number };

function recorded(values: number[], options: { maxSize?: number; maxScale?: number } = {}) {
  const metric = exponentialHistogram({ name: 'h', on: 'obs', value: (e: Obs) => e.v, ...options });
  const recorder = createTestRecorder([metric]);
  for (const v of values) recorder.registerEvent({ type: 'obs', v });
  return exponentialHistogramPoint(recorder, 'h');
}

const value = fc.oneof(
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  fc.double({ min: 1e-9, max: 1e-3, noNaN: true }),
  fc.constant(0),
);

describe('the exponentialHistogram adapter', () => {
  it('exports a snapshot point as OpenTelemetry ExponentialHistogram data, min/max absent while empty', () => {
    const point = recorded([0.5, -2, 0, 3]);
    expect(adapter.fromSnapshot(point)).toEqual({
      count: 4,
      sum: 1.5,
      min: -2,
      max: 3,
      scale: point?.scale,
      zeroCount: 1,
      positive: point?.positive,
      negative: point?.negative,
    });
    const empty = adapter.fromSnapshot(
      exponentialHistogramKind.createPoint({}, { maxSize: 4, maxScale: 3 }),
    );
    expect(empty).toEqual({
      count: 0,
      sum: 0,
      scale: 0,
      zeroCount: 0,
      positive: { offset: 0, bucketCounts: [] },
      negative: { offset: 0, bucketCounts: [] },
    });
    expect(exponentialLimitsOf(empty as object)).toEqual({ maxSize: 4, maxScale: 3 });
    expect(adapter.metricData({ name: 'x', unit: 's', description: '' }).dataPointType).toBe(
      DataPointType.EXPONENTIAL_HISTOGRAM,
    );
  });

  it('refuses malformed points (a hand-written metric claiming the kind)', () => {
    const good = {
      count: 1,
      sum: 1,
      scale: 0,
      zeroCount: 0,
      positive: { offset: 0, bucketCounts: [1] },
      negative: { offset: 0, bucketCounts: [] },
    };
    expect(adapter.fromSnapshot(good)).toBeDefined();
    for (const bad of [
      null,
      3,
      { ...good, count: -1 },
      { ...good, count: 1.5 },
      { ...good, sum: Number.NaN },
      { ...good, scale: 0.5 },
      { ...good, zeroCount: '0' },
      { ...good, positive: { offset: 0.5, bucketCounts: [] } },
      { ...good, negative: { offset: 0, bucketCounts: [-1] } },
      { ...good, negative: null },
    ]) {
      expect(adapter.fromSnapshot(bad)).toBeUndefined();
    }
  });

  it('mirrors incrementally what core records: begin, apply every change, end = the snapshot (property)', () => {
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 60 }),
        fc.array(value, { maxLength: 60 }),
        fc.constantFrom(2, 5, 160),
        (before, after, maxSize) => {
          const start = adapter.fromSnapshot(
            recorded(before, { maxSize }),
          ) as MirroredExponentialHistogram;
          const running = adapter.begin(start);
          if (running === undefined) throw new Error('the kind mirrors incrementally');
          for (const v of after) exponentialHistogramKind.apply(running, v);
          expect(adapter.end(running)).toEqual(
            adapter.fromSnapshot(recorded([...before, ...after], { maxSize })),
          );
          // begin copied: the exported value it started from is unchanged
          expect(start).toEqual(adapter.fromSnapshot(recorded(before, { maxSize })));
        },
      ),
    );
  });

  it("merges two series of one attribute set with core's merge, under the metric's limits", () => {
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 60 }),
        fc.array(value, { maxLength: 60 }),
        (a, b) => {
          const limits = { maxSize: 8, maxScale: 4 };
          const into = adapter.fromSnapshot(recorded(a, limits)) as MirroredExponentialHistogram;
          const added = adapter.fromSnapshot(recorded(b, limits)) as MirroredExponentialHistogram;
          const merged = adapter.merge(into, added);
          const core = exponentialHistogramKind.merge(
            recorded(a, limits) ?? exponentialHistogramKind.createPoint({}, limits),
            recorded(b, limits) ?? exponentialHistogramKind.createPoint({}, limits),
          );
          expect(merged).toEqual(adapter.fromSnapshot(core));
          expect(merged?.positive.bucketCounts.length ?? 0).toBeLessThanOrEqual(8);
        },
      ),
    );
  });

  it('prints in the text formats as Prometheus clients print a native histogram: +Inf bucket, count, sum', () => {
    const data = adapter.metricData({ name: 'x', unit: 's', description: '' });
    const point = {
      attributes: {},
      startTime: [0, 0],
      endTime: [0, 0],
      value: adapter.fromSnapshot(recorded([1, 2, 0])),
    };
    const text = adapter.prometheusText?.({ ...data, dataPoints: [point] } as MetricData);
    expect(text?.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(text?.dataPoints[0]?.value).toEqual({
      count: 3,
      sum: 3,
      buckets: { boundaries: [], counts: [3] },
    });
    const samples = (values: number[]) =>
      adapter.openMetrics.samples('x', 'k="v"', {
        ...point,
        value: adapter.fromSnapshot(recorded(values)),
      } as never);
    expect(samples([1, 2, 0])).toBe(
      'x_bucket{k="v",le="+Inf"} 3\nx_count{k="v"} 3\nx_sum{k="v"} 3\n',
    );
    // OpenMetrics allows a sum only where no observation is negative; the +Inf bucket still counts
    expect(samples([1, -2])).toBe('x_bucket{k="v",le="+Inf"} 2\n');
  });
});
