import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  copyState,
  downscaleValue,
  type ExponentialState,
  emptyState,
  mergeInto,
  record,
} from './aggregation.js';
import { mapToIndex } from './mapping.js';

const limits = { maxSize: 160, maxScale: 20 };
const value = fc.oneof(
  fc.double({ min: -1e300, max: 1e300, noNaN: true }),
  fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
  fc.constantFrom(0, -0, Number.MIN_VALUE, 2 ** -1022, 1, 2, 0.5),
);
const values = fc.array(value, { maxLength: 200 });
const size = fc.constantFrom(2, 3, 5, 16, 160);

function recordAll(input: number[], l = limits) {
  const state = emptyState();
  for (const v of input) record(state, v, l);
  return state;
}

function total(v: ExponentialState): number {
  const add = (a: number, b: number) => a + b;
  return (
    v.zeroCount + v.positive.bucketCounts.reduce(add, 0) + v.negative.bucketCounts.reduce(add, 0)
  );
}

/** Each non-zero value counted in the bucket its magnitude maps to at the final scale. */
function expectedBuckets(input: number[], scale: number, sign: 1 | -1): Map<number, number> {
  const counts = new Map<number, number>();
  for (const v of input) {
    if (v === 0 || Math.sign(v) !== sign) continue;
    const index = mapToIndex(Math.abs(v), scale);
    counts.set(index, (counts.get(index) ?? 0) + 1);
  }
  return counts;
}

function bucketsAsMap(buckets: ExponentialState['positive']): Map<number, number> {
  const map = new Map<number, number>();
  buckets.bucketCounts.forEach((count, i) => {
    if (count !== 0) map.set(buckets.offset + i, count);
  });
  return map;
}

describe('the exponential aggregation', () => {
  it('starts empty: scale 0, no buckets, zeros for min and max', () => {
    expect(copyState(emptyState())).toEqual({
      count: 0,
      sum: 0,
      min: 0,
      max: 0,
      scale: 0,
      zeroCount: 0,
      positive: { offset: 0, bucketCounts: [] },
      negative: { offset: 0, bucketCounts: [] },
    });
  });

  it('keeps maxScale while it holds one value, and reports scale 0 for zeros only', () => {
    expect(copyState(recordAll([0, -0, 0]))).toMatchObject({ scale: 0, zeroCount: 3, count: 3 });
    expect(copyState(recordAll([0, 1.5]))).toMatchObject({
      scale: 20,
      positive: { offset: mapToIndex(1.5, 20), bucketCounts: [1] },
    });
    expect(copyState(recordAll([3], { maxSize: 4, maxScale: 5 })).scale).toBe(5);
  });

  it('counts every value once, in at most maxSize buckets per sign', () => {
    fc.assert(
      fc.property(values, size, (input, maxSize) => {
        const v = copyState(recordAll(input, { maxSize, maxScale: 20 }));
        expect(total(v)).toBe(v.count);
        expect(v.count).toBe(input.length);
        expect(v.positive.bucketCounts.length).toBeLessThanOrEqual(maxSize);
        expect(v.negative.bucketCounts.length).toBeLessThanOrEqual(maxSize);
        expect(v.zeroCount).toBe(input.filter((x) => x === 0).length);
      }),
    );
  });

  it('puts each value in the bucket its magnitude maps to at the final scale', () => {
    fc.assert(
      fc.property(values, size, (input, maxSize) => {
        const v = copyState(recordAll(input, { maxSize, maxScale: 20 }));
        expect(bucketsAsMap(v.positive)).toEqual(expectedBuckets(input, v.scale, 1));
        expect(bucketsAsMap(v.negative)).toEqual(expectedBuckets(input, v.scale, -1));
      }),
    );
  });

  it('uses the highest scale at which the values fit', () => {
    fc.assert(
      fc.property(values, size, (input, maxSize) => {
        const v = copyState(recordAll(input, { maxSize, maxScale: 20 }));
        if (v.scale === 20 || v.count === v.zeroCount) return;
        // One scale up, some sign would span maxSize buckets or more.
        const spans = [1, -1].map((sign) => {
          const indexes = [...expectedBuckets(input, v.scale + 1, sign as 1 | -1).keys()];
          return indexes.length === 0 ? 0 : Math.max(...indexes) - Math.min(...indexes) + 1;
        });
        expect(Math.max(...spans)).toBeGreaterThan(maxSize);
      }),
    );
  });

  it('tracks sum, min and max of the values', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 100 }), (input) => {
        const v = copyState(recordAll(input));
        // + 0: the first of 0 and -0 recorded stays, as in sdk-metrics; either is zero
        expect(v.min + 0).toBe(Math.min(...input) + 0);
        expect(v.max + 0).toBe(Math.max(...input) + 0);
        expect(v.sum).toBe(input.reduce((a, b) => a + b, 0));
      }),
    );
  });

  it('merges to what recording both sequences into one histogram gives', () => {
    fc.assert(
      fc.property(values, values, size, (a, b, maxSize) => {
        const l = { maxSize, maxScale: 20 };
        const target = recordAll(a, l);
        const source = recordAll(b, l);
        const before = copyState(source);
        expect(mergeInto(target, source, l)).toBe(true);
        expect(copyState(source)).toEqual(before); // the source is left alone
        const { sum, ...merged } = copyState(target);
        const { sum: expectedSum, ...expected } = copyState(recordAll([...a, ...b], l));
        expect(merged).toEqual(expected);
        // The sum adds the two sums, so it may round differently from one running sum.
        expect(sum).toBe(copyState(recordAll(a, l)).sum + copyState(recordAll(b, l)).sum);
        // Both round each addition once: within (n additions) ulps of the magnitudes summed.
        const magnitude = [...a, ...b].reduce((x, y) => x + Math.abs(y), 0);
        expect(Math.abs(sum - expectedSum)).toBeLessThanOrEqual(400 * Number.EPSILON * magnitude);
      }),
    );
  });

  it('merges histograms of other limits into the target limits', () => {
    fc.assert(
      fc.property(values, values, size, size, fc.boolean(), (a, b, sizeA, sizeB, emptyTarget) => {
        // The target recorded at maxScale 20 merges under a lower maxScale: the merge lowers it.
        const targetLimits = { maxSize: sizeA, maxScale: 10 };
        const target = recordAll(emptyTarget ? [] : a, { maxSize: sizeA, maxScale: 20 });
        const source = recordAll(b, { maxSize: sizeB, maxScale: 20 });
        mergeInto(target, source, targetLimits);
        const v = copyState(target);
        const all = emptyTarget ? b : [...a, ...b];
        // A source without non-zero values adds no bucket and leaves the scale alone.
        if (b.some((x) => x !== 0)) expect(v.scale).toBeLessThanOrEqual(10);
        expect(v.positive.bucketCounts.length).toBeLessThanOrEqual(sizeA);
        expect(v.negative.bucketCounts.length).toBeLessThanOrEqual(sizeA);
        expect(total(v)).toBe(all.length);
        expect(bucketsAsMap(v.positive)).toEqual(expectedBuckets(all, v.scale, 1));
        expect(bucketsAsMap(v.negative)).toEqual(expectedBuckets(all, v.scale, -1));
      }),
    );
  });

  it('copies deeply: recording into a copy leaves the original alone', () => {
    const state = recordAll([1, 2, 3, -4]);
    const copy = copyState(state);
    record(copy, 1e10, limits);
    record(copy, -1e-10, limits);
    expect(copyState(state)).toEqual(copyState(recordAll([1, 2, 3, -4])));
  });

  it('downscales a value as recording at the lower scale would', () => {
    fc.assert(
      fc.property(values, fc.integer({ min: -4, max: 8 }), (input, scale) => {
        const v = copyState(recordAll(input));
        const lower = downscaleValue(v, scale);
        if (v.scale <= scale) {
          expect(lower).toBe(v);
          return;
        }
        expect(lower.scale).toBe(scale);
        expect(bucketsAsMap(lower.positive)).toEqual(expectedBuckets(input, scale, 1));
        expect(bucketsAsMap(lower.negative)).toEqual(expectedBuckets(input, scale, -1));
        expect(total(lower)).toBe(v.count);
      }),
    );
  });
});
