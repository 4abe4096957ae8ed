// Kinds at their edges: histogram merges against a model (any two histograms, either order, the
// same or other boundaries), the registry asked with something that is not a kind name, the
// exponential histogram's refusals, and values just above a power of two at every scale > 0.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricsWiringError } from '../errors/index.js';
import { exponentialHistogram } from '../metrics/index.js';
import type { HistogramPoint } from '../snapshots/types.js';
import { MAX_SCALE, mapToIndex } from './exponential/mapping.js';
import { exponentialHistogramKind, findKindDefinition, histogramKind } from './index.js';

describe('histogram merge (model)', () => {
  const BOUNDARIES = [[1, 5], [1, 5, 10], [1], [2, 5]];
  const of = (boundaries: number[], values: number[]): HistogramPoint => {
    const point = histogramKind.createPoint({}, boundaries) as HistogramPoint;
    for (const value of values) expect(histogramKind.apply(point, value)).toBe(true);
    return point;
  };
  const sameValues = (a: number[], b: number[]) =>
    a.length === b.length && a.every((x, i) => x === b[i]);

  it('merging two histograms is the histogram of all their observations, or undefined when the boundaries differ', () => {
    const observations = fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 8 });
    fc.assert(
      fc.property(
        fc.nat(BOUNDARIES.length - 1),
        fc.nat(BOUNDARIES.length - 1),
        fc.boolean(),
        observations,
        observations,
        (i, j, shared, xs, ys) => {
          // One metric's points share its boundaries array; two recorders' have equal copies.
          const a = BOUNDARIES[i] as number[];
          const b = shared && i === j ? a : [...(BOUNDARIES[j] as number[])];
          const merged = histogramKind.merge(of(a, xs), of(b, ys));
          if (!sameValues(a, b)) {
            expect(merged).toBeUndefined();
            return;
          }
          expect(merged).toEqual(of(a, [...xs, ...ys]));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the kind registry', () => {
  it('finds a kind by its name only, never by something that turns into it', () => {
    expect(findKindDefinition('gauge')?.kind).toBe('gauge');
    for (const notAName of [['gauge'], { toString: () => 'counter' }, new String('histogram')]) {
      expect(findKindDefinition(notAName)).toBeUndefined();
    }
  });
});

describe('exponentialHistogram options', () => {
  it.each([
    [{ maxSize: 1 }, /maxSize must be an integer from 2 to/],
    [{ maxScale: 21 }, /maxScale must be an integer from -10 to 20/],
  ])('refuses %j as invalid-metric-options, naming the metric', (options, message) => {
    let refusal: unknown;
    try {
      exponentialHistogram({ name: 'latency', on: 'x', value: () => 1, ...options });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(MetricsWiringError);
    expect((refusal as MetricsWiringError).code).toBe('invalid-metric-options');
    expect((refusal as Error).message).toMatch(/^Exponential histogram "latency": /);
    expect((refusal as Error).message).toMatch(message);
  });
});

describe('mapToIndex just above a power of two', () => {
  it('puts 2^k * (1 + m * 2^-52) into the first bucket of its octave, k << scale, at every scale > 0 (the logarithm can round below the octave)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1021, max: 1022 }),
        fc.integer({ min: 1, max: MAX_SCALE }),
        fc.integer({ min: 1, max: 8 }),
        (k, scale, m) => {
          expect(mapToIndex(2 ** k * (1 + m * 2 ** -52), scale)).toBe(k * 2 ** scale);
        },
      ),
      { numRuns: 500, examples: [[-975, 1, 1]] },
    );
  });
});

describe('exponential histogram points at their edges', () => {
  const point = (values: number[], maxSize = 160, maxScale = 20) => {
    const created = exponentialHistogramKind.createPoint({}, { maxSize, maxScale });
    for (const value of values) exponentialHistogramKind.apply(created, value);
    return created;
  };

  it('refuses an observation or a merge whose sum would overflow to -Infinity, as to +Infinity, leaving the point', () => {
    for (const sign of [1, -1]) {
      const big = sign * Number.MAX_VALUE;
      const one = point([big]);
      const before = structuredClone(one);
      expect(exponentialHistogramKind.apply(one, big)).toBe(false);
      expect(one).toEqual(before);
      expect(exponentialHistogramKind.merge(one, point([big]))).toBeUndefined();
    }
  });

  it('merged into an empty point, negative observations keep their own max and min', () => {
    const merged = exponentialHistogramKind.merge(point([]), point([-3, -5]));
    expect(merged).toMatchObject({ count: 2, min: -5, max: -3, sum: -8 });
  });

  it("merged into a point with a smaller maxSize, the added buckets are downscaled to fit the point's limit, whichever sign the point holds", () => {
    // The point holds negatives only; the added point's positives span many buckets at its scale.
    const into = point([-1], 2);
    const added = point([1, 10, 100, 1000]);
    const merged = exponentialHistogramKind.merge(into, added);
    expect(merged?.positive.bucketCounts.length).toBeLessThanOrEqual(2);
    expect(merged?.positive.bucketCounts.reduce((a, b) => a + b, 0)).toBe(4);
    expect(merged?.count).toBe(5);
  });
});
