import { bucketIndex, histogram } from '@mvx-metrics/core';
import { histogramKind } from '@mvx-metrics/core/kinds';
import { createTestRecorder, histogramPoint } from '@mvx-metrics/core/testing';
import { ValueType } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType } from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { histogramAdapter } from './histogram.js';
import type { MirroredHistogram } from './types.js';

// The histogram adapter against core's histogram and plain arithmetic: conversion of any point
// (malformed ones refused), the incremental mirror, and merging.

const observation = fc.double({ min: 0, max: 1e9, noNaN: true });
const boundariesArb = fc
  .uniqueArray(fc.integer({ min: 0, max: 100 }), { maxLength: 5 })
  .map((b) => [...b].sort((x, y) => x - y));

/** A histogram value over `boundaries` holding `values`, built by plain arithmetic. */
function histogramOf(boundaries: number[], values: number[]): MirroredHistogram {
  const counts = new Array<number>(boundaries.length + 1).fill(0);
  for (const v of values) {
    const i = bucketIndex(boundaries, v);
    counts[i] = (counts[i] as number) + 1;
  }
  const out: MirroredHistogram = {
    buckets: { boundaries, counts },
    count: values.length,
    sum: values.reduce((a, b) => a + b, 0),
  };
  if (values.length > 0) {
    out.min = Math.min(...values);
    out.max = Math.max(...values);
  }
  return out;
}

describe('histogramAdapter.fromSnapshot', () => {
  const good = {
    count: 2,
    sum: 3,
    min: 1,
    max: 2,
    boundaries: [1, 5],
    bucketCounts: [1, 1, 0],
  };

  it('converts a core point: min/max only when something was observed', () => {
    expect(histogramAdapter.fromSnapshot(good)).toEqual({
      buckets: { boundaries: [1, 5], counts: [1, 1, 0] },
      count: 2,
      sum: 3,
      min: 1,
      max: 2,
    });
    expect(
      histogramAdapter.fromSnapshot({ ...good, count: 0, sum: 0, bucketCounts: [0, 0, 0] }),
    ).toEqual({
      buckets: { boundaries: [1, 5], counts: [0, 0, 0] },
      count: 0,
      sum: 0,
    });
    // min/max of another type are left out, not exported as garbage
    const odd = histogramAdapter.fromSnapshot({ ...good, min: '1', max: null });
    expect(odd).not.toHaveProperty('min');
    expect(odd).not.toHaveProperty('max');
  });

  it.each([
    ['null', null],
    ['a number', 5],
    ['count missing', { ...good, count: undefined }],
    ['count a string', { ...good, count: '2' }],
    ['count NaN', { ...good, count: Number.NaN }],
    ['count Infinity', { ...good, count: Number.POSITIVE_INFINITY }],
    ['sum a string', { ...good, sum: '3' }],
    ['sum -Infinity', { ...good, sum: Number.NEGATIVE_INFINITY }],
    ['boundaries not an array', { ...good, boundaries: '1,5' }],
    ['bucketCounts not an array', { ...good, bucketCounts: { length: 3 } }],
    ['one bucket count too few', { ...good, bucketCounts: [1, 1] }],
    ['one bucket count too many', { ...good, bucketCounts: [1, 1, 0, 0] }],
  ])('refuses a malformed point (%s)', (_, point) => {
    expect(histogramAdapter.fromSnapshot(point)).toBeUndefined();
  });
});

describe('histogramAdapter incremental mirror', () => {
  it('begin/apply/end gives what core holds after the same observations, from any starting point', () => {
    fc.assert(
      fc.property(
        boundariesArb,
        fc.array(observation, { maxLength: 8 }),
        fc.array(observation, { maxLength: 8 }),
        (boundaries, before, after) => {
          const start = histogramOf(boundaries, before);
          const frozen = structuredClone(start);
          const running = histogramAdapter.begin(start);
          expect(running).toBeDefined();
          // the mirror applies each change with core's own rule
          for (const v of after) expect(histogramKind.apply(running as never, v)).toBe(true);
          const ended = histogramAdapter.end(running as never);
          // core, fed the same observations
          const recorder = createTestRecorder([
            histogram({
              name: 'h',
              on: 'o',
              value: (e: { v: number }) => e.v,
              buckets: boundaries,
            }),
          ]);
          for (const v of [...before, ...after]) recorder.registerEvent({ type: 'o', v });
          const core = histogramPoint(recorder, 'h');
          expect(ended.count).toBe(core?.count ?? 0);
          expect(ended.buckets.counts).toEqual(
            core?.bucketCounts ?? new Array(boundaries.length + 1).fill(0),
          );
          expect(ended.sum).toBeCloseTo(core?.sum ?? 0, 3);
          if (ended.count > 0) {
            expect(ended.min).toBe(core?.min);
            expect(ended.max).toBe(core?.max);
          } else {
            expect(ended).not.toHaveProperty('min');
            expect(ended).not.toHaveProperty('max');
          }
          expect(start).toEqual(frozen); // begin never aliases what it was given
        },
      ),
    );
  });
});

describe('histogramAdapter.merge', () => {
  it('adds counts, sums and buckets and keeps the extremes; inputs unchanged', () => {
    fc.assert(
      fc.property(
        boundariesArb,
        fc.array(observation, { maxLength: 8 }),
        fc.array(observation, { maxLength: 8 }),
        fc.boolean(),
        (boundaries, a, b, sameArray) => {
          const into = histogramOf(boundaries, a);
          const added = histogramOf(sameArray ? boundaries : [...boundaries], b);
          const frozen = structuredClone([into, added]);
          const merged = histogramAdapter.merge(into, added);
          const expected = histogramOf(boundaries, [...a, ...b]);
          expect(merged?.count).toBe(expected.count);
          expect(merged?.buckets.counts).toEqual(expected.buckets.counts);
          expect(merged?.buckets.boundaries).toEqual(boundaries);
          expect(merged?.sum).toBeCloseTo(expected.sum, 3);
          expect(merged?.min).toBe(expected.min);
          expect(merged?.max).toBe(expected.max);
          expect([into, added]).toEqual(frozen);
        },
      ),
    );
  });

  it('refuses different boundaries (length or values) and a sum that would not be finite', () => {
    const h = (boundaries: number[], sum = 1) => ({
      buckets: { boundaries, counts: new Array(boundaries.length + 1).fill(0) },
      count: 0,
      sum,
    });
    expect(histogramAdapter.merge(h([1, 2]), h([1]))).toBeUndefined();
    expect(histogramAdapter.merge(h([1, 2]), h([1, 3]))).toBeUndefined();
    expect(histogramAdapter.merge(h([1, 2]), h([1, 2]))).toBeDefined();
    expect(
      histogramAdapter.merge(h([1], Number.MAX_VALUE), h([1], Number.MAX_VALUE)),
    ).toBeUndefined();
  });
});

describe('histogramAdapter shape', () => {
  it('is cumulative double Histogram data, matched by its point type only', () => {
    const data = histogramAdapter.metricData({ name: 'n', unit: 's', description: 'd' });
    expect(data).toMatchObject({
      descriptor: { name: 'n', unit: 's', description: 'd', valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: [],
    });
    expect(histogramAdapter.matches(data)).toBe(true);
    expect(histogramAdapter.matches({ ...data, dataPointType: DataPointType.SUM } as never)).toBe(
      false,
    );
  });
});
