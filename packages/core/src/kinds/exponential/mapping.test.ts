import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  lowerBoundary,
  MAX_SCALE,
  MIN_NORMAL_VALUE,
  MIN_SCALE,
  mapToIndex,
  maxIndex,
  minIndex,
} from './mapping.js';

const scales = Array.from({ length: MAX_SCALE - MIN_SCALE + 1 }, (_, i) => MIN_SCALE + i);
const positiveFinite = fc.double({ min: Number.MIN_VALUE, max: Number.MAX_VALUE, noNaN: true });

describe('mapToIndex', () => {
  it('puts values into (base^i, base^(i+1)] at the worked scales', () => {
    // scale 1: base √2
    expect([1.2, Math.SQRT2 * 1.0001, 1.5, 2, 2.1, 3, 4].map((v) => mapToIndex(v, 1))).toEqual([
      0, 1, 1, 1, 2, 3, 3,
    ]);
    // scale 0: base 2
    expect([0.5, 0.75, 1, 1.5, 2, 3, 4, 5].map((v) => mapToIndex(v, 0))).toEqual([
      -2, -1, -1, 0, 0, 1, 1, 2,
    ]);
    // scale -1: base 4
    expect([0.25, 0.3, 1, 1.5, 4, 5, 16, 17].map((v) => mapToIndex(v, -1))).toEqual([
      -2, -1, -1, 0, 0, 1, 1, 2,
    ]);
  });

  it.each(scales)('puts an exact power of two in the bucket it closes (scale %i)', (scale) => {
    for (let exponent = -1022; exponent <= 1023; exponent += 7) {
      const expected = scale > 0 ? (exponent << scale) - 1 : (exponent - 1) >> -scale;
      expect({ exponent, index: mapToIndex(2 ** exponent, scale) }).toEqual({
        exponent,
        index: expected,
      });
    }
  });

  it.each(scales)('maps 2^-1022 and every subnormal to the lowest index (scale %i)', (scale) => {
    const lowest = minIndex(scale);
    for (const v of [MIN_NORMAL_VALUE, 2 ** -1023, 2 ** -1050, Number.MIN_VALUE, 3e-310]) {
      expect({ v, index: mapToIndex(v, scale) }).toEqual({ v, index: lowest });
    }
    // Down to scale -1, 2^-1022 is a boundary: the next double above it opens the next bucket.
    if (scale >= -1) {
      expect(mapToIndex(MIN_NORMAL_VALUE * (1 + Number.EPSILON), scale)).toBe(lowest + 1);
    }
  });

  it.each(scales)('maps the largest double to the highest index (scale %i)', (scale) => {
    expect(mapToIndex(Number.MAX_VALUE, scale)).toBe(maxIndex(scale));
    expect(mapToIndex(2 ** 1023, scale)).toBe(scale > 0 ? (1023 << scale) - 1 : 1022 >> -scale);
  });

  it('has the lowest index one below the bucket whose lower boundary is 2^-1022', () => {
    expect(minIndex(0)).toBe(-1023);
    expect(minIndex(1)).toBe(-2045);
    expect(minIndex(-1)).toBe(-512);
    expect(minIndex(-2)).toBe(-256);
    expect(minIndex(20)).toBe(-1022 * 2 ** 20 - 1);
    expect(maxIndex(20)).toBe(1024 * 2 ** 20 - 1);
    expect(maxIndex(-10)).toBe(0);
    expect(minIndex(-10)).toBe(-1);
  });

  it('places a value between the boundaries of its bucket (exact at scale <= 0)', () => {
    fc.assert(
      fc.property(positiveFinite, fc.integer({ min: MIN_SCALE, max: 0 }), (v, scale) => {
        if (v <= MIN_NORMAL_VALUE) return;
        const index = mapToIndex(v, scale);
        expect(lowerBoundary(index, scale)).toBeLessThan(v);
        expect(v).toBeLessThanOrEqual(lowerBoundary(index + 1, scale));
      }),
    );
  });

  it('places a value between the boundaries of its bucket, to the logarithm method precision (scale > 0)', () => {
    fc.assert(
      fc.property(positiveFinite, fc.integer({ min: 1, max: MAX_SCALE }), (v, scale) => {
        if (v <= MIN_NORMAL_VALUE) return;
        const index = mapToIndex(v, scale);
        const slack = 1 + 1e-12;
        expect(lowerBoundary(index, scale)).toBeLessThan(v * slack);
        expect(v).toBeLessThanOrEqual(lowerBoundary(index + 1, scale) * slack);
      }),
    );
  });

  it('maps a value at scale s to its index at scale s+k shifted right by k', () => {
    // What downscaling relies on: merging buckets 2^k to 1 keeps each value in its bucket.
    fc.assert(
      fc.property(
        positiveFinite,
        fc.integer({ min: 1, max: MAX_SCALE }),
        fc.integer({ min: 0, max: MAX_SCALE - 1 }),
        (v, scale, k) => {
          const low = Math.max(1, scale - k);
          expect(mapToIndex(v, scale) >> (scale - low)).toBe(mapToIndex(v, low));
        },
      ),
    );
    fc.assert(
      fc.property(
        positiveFinite,
        fc.integer({ min: MIN_SCALE, max: 0 }),
        fc.integer({ min: 0, max: 10 }),
        (v, scale, k) => {
          const low = Math.max(MIN_SCALE, scale - k);
          expect(mapToIndex(v, scale) >> (scale - low)).toBe(mapToIndex(v, low));
        },
      ),
    );
    // Across scale 0, where the logarithm method meets the exact exponent method: the doubles
    // beside a power of two are where a rounded logarithm lands across it.
    const besidePowerOfTwo = fc
      .tuple(fc.integer({ min: -1021, max: 1023 }), fc.integer({ min: -4, max: 4 }))
      .map(([e, ulps]) => 2 ** e * (1 + ulps * (ulps < 0 ? Number.EPSILON / 2 : Number.EPSILON)));
    fc.assert(
      fc.property(
        fc.oneof(besidePowerOfTwo, positiveFinite),
        fc.integer({ min: 1, max: MAX_SCALE }),
        fc.integer({ min: MIN_SCALE, max: 0 }),
        (v, scale, low) => {
          expect(mapToIndex(v, scale) >> (scale - low)).toBe(mapToIndex(v, low));
        },
      ),
      { numRuns: 1000 },
    );
    // 255.99999999999994 < 256: the logarithm alone rounds it into 256's upper neighbour.
    expect(mapToIndex(255.99999999999994, 20)).toBe((8 << 20) - 1);
    expect(mapToIndex(2 ** -160 * (1 - 2 ** -52), 20)).toBe((-160 << 20) - 1);
  });
});
