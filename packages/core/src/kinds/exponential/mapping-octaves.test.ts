// Bucket boundaries at a positive scale repeat from octave to octave: base = 2^(2^-scale), so
// base^(i + 2^scale) = 2 * base^i, and doubling a double is exact. lowerBoundary keeps that
// (only the fraction of an octave is rounded, once), so the boundaries of every octave are the
// same significands; a boundary computed as one power 2^(i / 2^scale) rounds differently from
// octave to octave. Killed mutation survivor of core kinds: mapping.ts 90:7 (docs/reliability.md).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lowerBoundary, MAX_SCALE, maxIndex, minIndex } from './mapping.js';

const MIN_NORMAL = 2 ** -1022;

describe('lowerBoundary at a positive scale', () => {
  it("the next octave's boundary is exactly twice this one (any scale, any index with both normal)", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: MAX_SCALE })
          .chain((scale) =>
            fc.tuple(
              fc.constant(scale),
              fc.integer({ min: minIndex(scale) + 1, max: maxIndex(scale) - 2 ** scale }),
            ),
          ),
        ([scale, index]) => {
          const here = lowerBoundary(index, scale);
          fc.pre(here >= MIN_NORMAL);
          expect(lowerBoundary(index + 2 ** scale, scale)).toBe(2 * here);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('scale 1: the boundary between two powers of two is the double nearest to sqrt(2) times the lower one', () => {
    for (let exponent = -1021; exponent < 1023; exponent++) {
      expect(lowerBoundary(2 * exponent + 1, 1)).toBe(Math.SQRT2 * 2 ** exponent);
    }
  });
});
