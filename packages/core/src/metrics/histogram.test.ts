import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricsWiringError } from '../errors/index.js';
import { MetricEvent } from '../events/index.js';
import { createTestRecorder, histogramPoint } from '../testing/index.js';
import { bucketIndex, DEFAULT_BUCKETS, DEFAULT_SECONDS_BUCKETS, histogram } from './index.js';

class Saved extends MetricEvent {
  constructor(
    readonly value: number,
    readonly outcome = 'success',
  ) {
    super();
  }
}

function record(values: number[], buckets?: number[], unit?: string) {
  const recorder = createTestRecorder([
    histogram({
      name: 'save.duration',
      on: Saved,
      value: (e) => e.value,
      ...(buckets === undefined ? {} : { buckets }),
      ...(unit === undefined ? {} : { unit }),
    }),
  ]);
  for (const v of values) recorder.registerEvent(new Saved(v));
  return recorder;
}

describe('histogram', () => {
  it('counts value v in bucket i when boundaries[i-1] < v <= boundaries[i]', () => {
    const recorder = record([0, 1, 1.5, 2, 4, 5, 5.0001, 100], [1, 2, 5]);
    const point = histogramPoint(recorder, 'save.duration');
    // (-inf,1] gets 0 and 1; (1,2] gets 1.5 and 2; (2,5] gets 4 and 5; (5,+inf) gets the rest.
    expect(point?.bucketCounts).toEqual([2, 2, 2, 2]);
    expect(point?.boundaries).toEqual([1, 2, 5]);
    expect(point?.count).toBe(8);
    expect(point?.sum).toBeCloseTo(0 + 1 + 1.5 + 2 + 4 + 5 + 5.0001 + 100, 10);
    expect(point?.min).toBe(0);
    expect(point?.max).toBe(100);
  });

  it('uses seconds buckets by default when the unit is s, else OpenTelemetry defaults', () => {
    expect(histogramPoint(record([], undefined, 's'), 'save.duration')?.boundaries).toEqual([
      ...DEFAULT_SECONDS_BUCKETS,
    ]);
    expect(histogramPoint(record([], undefined, 'ms'), 'save.duration')?.boundaries).toEqual([
      ...DEFAULT_BUCKETS,
    ]);
    expect(DEFAULT_SECONDS_BUCKETS[0]).toBe(0.005);
    expect(DEFAULT_BUCKETS).toEqual([
      0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000,
    ]);
  });

  it('puts a 30 ms observation in the (0.025, 0.05] seconds bucket', () => {
    const point = histogramPoint(record([0.03], undefined, 's'), 'save.duration');
    const index = DEFAULT_SECONDS_BUCKETS.indexOf(0.05);
    expect(point?.bucketCounts[index]).toBe(1);
    expect(point?.bucketCounts.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('starts a point with zero count, zero min/max and one more bucket than boundaries', () => {
    const point = histogramPoint(record([], [10, 20]), 'save.duration');
    expect(point).toEqual({
      attributes: {},
      count: 0,
      sum: 0,
      min: 0,
      max: 0,
      boundaries: [10, 20],
      bucketCounts: [0, 0, 0],
    });
  });

  it('keeps one point per attribute set, `initial` ones included', () => {
    const recorder = createTestRecorder([
      histogram({
        name: 'save.duration',
        unit: 's',
        on: Saved,
        value: (e) => e.value,
        attributes: (e) => ({ outcome: e.outcome }),
        initial: [{ outcome: 'failure' }],
      }),
    ]);
    expect(histogramPoint(recorder, 'save.duration', { outcome: 'failure' })?.count).toBe(0);
    recorder.registerEvent(new Saved(0.2, 'success'));
    recorder.registerEvent(new Saved(0.4, 'success'));
    expect(histogramPoint(recorder, 'save.duration', { outcome: 'success' })).toMatchObject({
      count: 2,
      min: 0.2,
      max: 0.4,
    });
    expect(histogramPoint(recorder, 'save.duration', { outcome: 'failure' })?.count).toBe(0);
  });

  it('drops negative, NaN and infinite observations without touching the state', () => {
    const recorder = record([1, -1, Number.NaN, Number.POSITIVE_INFINITY, 3], [2]);
    const point = histogramPoint(recorder, 'save.duration');
    expect(point).toMatchObject({ count: 2, sum: 4, min: 1, max: 3, bucketCounts: [1, 1] });
    expect(recorder.getMetricSnapshots()[0]?.dropped).toBe(3);
    expect(recorder.errors.map((e) => e.code)).toEqual(['invalid-value']);
    expect(recorder.errors[0]?.message).toContain('-1');
  });

  it('refuses unsorted, duplicate or non-finite buckets at definition time', () => {
    for (const buckets of [
      [2, 1],
      [1, 1],
      [1, Number.NaN],
      [1, Number.POSITIVE_INFINITY],
    ]) {
      expect(() => histogram({ name: 'h', on: Saved, value: (e) => e.value, buckets })).toThrow(
        MetricsWiringError,
      );
    }
    expect(() => histogram({ name: 'h', on: Saved } as never)).toThrow(/value/);
  });

  it('copies the caller`s buckets so mutating them later changes nothing', () => {
    const buckets = [1, 2];
    const recorder = createTestRecorder([
      histogram({ name: 'h', on: Saved, value: (e) => e.value, buckets }),
    ]);
    buckets[0] = 100;
    recorder.registerEvent(new Saved(1));
    expect(histogramPoint(recorder, 'h')).toMatchObject({
      boundaries: [1, 2],
      bucketCounts: [1, 0, 0],
    });
  });
});

describe('bucketIndex', () => {
  it('is the first bound >= the value, or the +Inf bucket: (previous bound, bound]', () => {
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(fc.uniqueArray(finite, { maxLength: 20 }), finite, (raw, value) => {
        const bounds = [...raw].sort((a, b) => a - b);
        // candidates include the bounds themselves, where the rule's edge is
        for (const v of [value, ...bounds]) {
          const expected = bounds.findIndex((b) => v <= b);
          expect(bucketIndex(bounds, v)).toBe(expected === -1 ? bounds.length : expected);
        }
      }),
    );
  });
});
