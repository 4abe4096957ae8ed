// Core's exponential histogram against an exact oracle of the data model's buckets
// (test/support/exponential-oracle.ts: base = 2^(2^-scale), bucket i holds (base^i, base^(i+1)],
// log2 worked out with BigInt), for the values where rounding decides the bucket: powers of two and
// the doubles just off them, subnormals, 1e-300 and MAX_VALUE, recorded and merged with rescaling
// down to negative scales. sdk-metrics is not consulted here: where it misplaces such a value
// (exponential-reference.property.test.ts, "where core differs"), this is what core is held to.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  copyState,
  type ExponentialLimits,
  type ExponentialState,
  emptyState,
  mergeInto,
  record,
} from '../../packages/core/src/kinds/exponential/index.js';
import { mapToIndex } from '../../packages/core/src/kinds/exponential/mapping.js';
import {
  logarithmLeavesOctave,
  nearBoundary,
  oracleBuckets,
  oracleIndex,
  oracleScale,
} from '../support/exponential-oracle.js';

const EPSILON = Number.EPSILON;
const below = (e: number, k = 1) => 2 ** e * (1 - (k * EPSILON) / 2);
const above = (e: number, k = 1) => 2 ** e * (1 + k * EPSILON);

describe('the oracle', () => {
  it('puts worked values where the data model says', () => {
    // Math.SQRT2 (1.4142135623730951) is above √2 = 1.41421356237309504...; the double before it below.
    expect(oracleIndex(Math.SQRT2, 1)).toBe(1);
    expect(oracleIndex(Math.SQRT2 - 2 ** -52, 1)).toBe(0);
    expect(oracleIndex(2, 1)).toBe(1);
    expect(oracleIndex(1, 20)).toBe(-1);
    expect(oracleIndex(below(0), 20)).toBe(-1);
    expect(oracleIndex(above(0), 20)).toBe(0);
    // 2^-160 closes bucket -21 at scale -3 ((2^-168, 2^-160]); the double below it is in it too.
    expect(oracleIndex(2 ** -160, -3)).toBe(-21);
    expect(oracleIndex(below(-160), -3)).toBe(-21);
    expect(oracleIndex(above(-160), -3)).toBe(-20);
    expect(oracleIndex(below(-160), 20)).toBe(-160 * 2 ** 20 - 1);
    expect(oracleIndex(2 ** -161, -3)).toBe(-21);
    // Subnormals count as 2^-1022, which closes bucket -1023 at scale 0.
    expect(oracleIndex(Number.MIN_VALUE, 0)).toBe(-1023);
    expect(oracleIndex(Number.MIN_VALUE, 20)).toBe(-1022 * 2 ** 20 - 1);
    expect(oracleIndex(Number.MAX_VALUE, 20)).toBe(1024 * 2 ** 20 - 1);
    expect(oracleIndex(Number.MAX_VALUE, -10)).toBe(0);
  });

  it('agrees with Math.log2 away from the boundaries', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 2 ** -1022, max: Number.MAX_VALUE, noNaN: true }),
        fc.integer({ min: -10, max: 20 }),
        (v, scale) => {
          const y = Math.log2(v) * 2 ** scale;
          fc.pre(Math.abs(y - Math.round(y)) > 1e-3);
          expect(oracleIndex(v, scale)).toBe(Math.floor(y));
        },
      ),
      { numRuns: 300 },
    );
  });
});

// The values that sit on or beside a bucket boundary whatever the scale, and the extremes.
const exponent = fc.integer({ min: -1022, max: 1023 });
const boundaryMagnitude = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.tuple(exponent, fc.integer({ min: 1, max: 4 })).map(([e, k]) => below(e, k)),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        exponent.filter((e) => e < 1023),
        fc.integer({ min: 1, max: 4 }),
      )
      .map(([e, k]) => above(e, k)),
  },
  { weight: 2, arbitrary: exponent.map((e) => 2 ** e) },
  { weight: 1, arbitrary: fc.double({ min: Number.MIN_VALUE, max: 2 ** -1022, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(1e-300, 5e-7, 0.001, 1, Number.MAX_VALUE) },
  { weight: 1, arbitrary: fc.double({ min: 1e-300, max: 1e300, noNaN: true }) },
);
const boundaryValue = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.tuple(boundaryMagnitude, fc.boolean()).map(([m, neg]) => (neg ? -m : m)),
  },
  { weight: 1, arbitrary: fc.constant(0) },
);
const sizes = fc.constantFrom(2, 3, 4, 8, 20, 64, 160);

describe('core maps a value beside a power of two into the octave it is in', () => {
  it('exactly at scale <= 0, in the right octave at scale > 0, and exactly away from other boundaries', () => {
    fc.assert(
      fc.property(boundaryMagnitude, fc.integer({ min: -10, max: 20 }), (v, scale) => {
        const index = mapToIndex(v, scale);
        const expected = oracleIndex(v, scale);
        if (scale <= 0) expect(index).toBe(expected);
        else {
          expect(Math.floor(index / 2 ** scale)).toBe(Math.floor(expected / 2 ** scale));
          if (!nearBoundary(v, scale)) expect(index).toBe(expected);
        }
        // What downscaling from a positive scale to scale 0 relies on.
        if (scale > 0) expect(Math.floor(index / 2 ** scale)).toBe(mapToIndex(v, 0));
      }),
      { numRuns: 2000 },
    );
  });

  it('including where the logarithm method leaves the octave (255.99999999999994, 2^-160 - ulp)', () => {
    for (const v of [255.99999999999994, below(-160), 0.003906249999999999, 15.999999999999996]) {
      expect(logarithmLeavesOctave(v)).toBe(true);
      for (const scale of [20, 8, 1, 0, -3]) {
        expect({ v, scale, index: mapToIndex(v, scale) }).toEqual({
          v,
          scale,
          index: oracleIndex(v, scale),
        });
      }
    }
  });
});

function recordAll(values: readonly number[], limits: ExponentialLimits) {
  const state = emptyState();
  const accepted = values.filter((v) => record(state, v, limits));
  return { state, accepted };
}

/** The checks that hold whatever the scale: no sign spans maxSize buckets, every value counted. */
function expectWithinLimits(state: ExponentialState, limits: ExponentialLimits): void {
  expect(state.positive.bucketCounts.length).toBeLessThanOrEqual(limits.maxSize);
  expect(state.negative.bucketCounts.length).toBeLessThanOrEqual(limits.maxSize);
  const sum = (counts: number[]) => counts.reduce((a, b) => a + b, 0);
  expect(
    state.zeroCount + sum(state.positive.bucketCounts) + sum(state.negative.bucketCounts),
  ).toBe(state.count);
}

/**
 * The oracle's histogram of `values`: the highest scale at which each sign fits, and each value
 * in its bucket there. Exact when that scale is <= 0, where core maps exactly too (at scale > 0
 * the logarithm method is allowed to differ beside a boundary that is not a power of two).
 */
function expectOracle(
  state: ExponentialState,
  values: readonly number[],
  limits: ExponentialLimits,
) {
  const scale = oracleScale(values, limits.maxSize, limits.maxScale);
  const magnitudes = (sign: number) =>
    values.filter((v) => v !== 0 && Math.sign(v) === sign).map(Math.abs);
  expect({
    scale: state.scale,
    zeroCount: state.zeroCount,
    positive: state.positive,
    negative: state.negative,
  }).toEqual({
    scale,
    zeroCount: values.filter((v) => v === 0).length,
    positive: oracleBuckets(magnitudes(1), scale),
    negative: oracleBuckets(magnitudes(-1), scale),
  });
}

describe('recording and merging beside powers of two, down to negative scales, as the oracle says', () => {
  const limits160 = { maxSize: 160, maxScale: 20 };

  it('the case sdk-metrics double counts: 2^-160 - 2 ulps far below 1 - 2 ulps at maxSize 160', () => {
    // At scale 0 the two positive values are in buckets -161 and -1: 161 buckets, so scale -1.
    const a = [0.9999999999999998, -0.001, 6.842277657836019e-49];
    const b = [1e-300, -1e-300, 5e-7];
    expect(6.842277657836019e-49).toBe(below(-160, 2)); // 2^-160 * (1 - 2^-52)
    const first = recordAll(a, limits160).state;
    expectWithinLimits(first, limits160);
    expectOracle(first, a, limits160);
    expect(first.scale).toBe(-1);
    // sdk-metrics merges the previous point into a copy of the new delta: both orders.
    for (const [into, from] of [
      [b, a],
      [a, b],
    ] as const) {
      const merged = recordAll(into, limits160).state;
      expect(mergeInto(merged, recordAll(from, limits160).state, limits160)).toBe(true);
      expectWithinLimits(merged, limits160);
      expectOracle(merged, [...a, ...b], limits160);
      expect(merged.scale).toBe(-3);
      expect(copyState(merged)).toEqual(copyState(recordAll([...a, ...b], limits160).state));
    }
  });

  // For each maxSize N, pairs whose buckets at scale 0 span exactly N + 1 (so the scale must be -1)
  // or exactly N (scale 0 fits), built from values one ulp off a power of two on either side, exact
  // powers, and the smallest normal or a subnormal; each pair also with a value of the other sign.
  const cases: { name: string; values: number[]; maxSize: number }[] = [];
  for (const n of [2, 3, 4, 8, 20, 64, 160]) {
    for (const h of [0, 9, -500, 1000, -1022 + n + 1]) {
      if (h - n < -1021) continue;
      cases.push({
        name: `below 2^${h} and 2^${h - n}`,
        values: [below(h), below(h - n)],
        maxSize: n,
      });
      cases.push({
        name: `below 2^${h} and 2^${h - n + 1}`,
        values: [below(h), below(h - n + 1)],
        maxSize: n,
      });
    }
    for (const l of [0, -9, 500, -1000, 1023 - n]) {
      cases.push({
        name: `above 2^${l} and 2^${l + n}`,
        values: [above(l), above(l + n)],
        maxSize: n,
      });
      cases.push({
        name: `above 2^${l} and 2^${l + n - 1}`,
        values: [above(l), above(l + n - 1)],
        maxSize: n,
      });
      cases.push({
        name: `2^${l} and above 2^${l + n - 1}`,
        values: [2 ** l, above(l + n - 1)],
        maxSize: n,
      });
    }
    cases.push({
      name: 'a subnormal and above 2^(-1023 + N)',
      values: [Number.MIN_VALUE, above(-1023 + n)],
      maxSize: n,
    });
    cases.push({
      name: '2^-1022 and 2^(-1022 + N)',
      values: [2 ** -1022, 2 ** (-1022 + n)],
      maxSize: n,
    });
    cases.push({ name: '1e-300, MAX_VALUE', values: [1e-300, Number.MAX_VALUE], maxSize: n });
  }

  it.each(cases)(
    '$name at maxSize $maxSize, in either order, with the other sign',
    ({ values, maxSize }) => {
      const limits = { maxSize, maxScale: 20 };
      for (const sequence of [
        values,
        [...values].reverse(),
        [...values, -values[0]!, -values[1]!],
        [-values[1]!, ...values, 0],
      ]) {
        const { state, accepted } = recordAll(sequence, limits);
        expectWithinLimits(state, limits);
        expectOracle(state, accepted, limits);
        // Merged one value at a time, each side as recorded alone.
        const merged = emptyState();
        for (const v of accepted)
          expect(mergeInto(merged, recordAll([v], limits).state, limits)).toBe(true);
        expectWithinLimits(merged, limits);
        expectOracle(merged, accepted, limits);
      }
    },
  );

  it('any sequence of such values, recorded or merged in two parts, in either direction', () => {
    let exact = 0;
    let runs = 0;
    fc.assert(
      fc.property(
        fc.array(boundaryValue, { minLength: 1, maxLength: 60 }),
        fc.array(boundaryValue, { maxLength: 60 }),
        sizes,
        (a, b, maxSize) => {
          runs++;
          const limits = { maxSize, maxScale: 20 };
          const first = recordAll(a, limits);
          const second = recordAll(b, limits);
          const all = [...first.accepted, ...second.accepted];
          const forward = copyState(first.state);
          const backward = copyState(second.state);
          if (!mergeInto(forward, second.state, limits)) return; // the sum would overflow
          expect(mergeInto(backward, first.state, limits)).toBe(true);
          for (const state of [first.state, second.state, forward, backward]) {
            expectWithinLimits(state, limits);
          }
          expect(forward.count).toBe(all.length);
          // At a scale <= 0 every bucket is exact: each part and the merge must be the oracle's.
          if (oracleScale(all, maxSize, 20) > 0) return;
          exact++;
          expectOracle(forward, all, limits);
          expectOracle(backward, all, limits);
          if (oracleScale(first.accepted, maxSize, 20) <= 0) {
            expectOracle(first.state, first.accepted, limits);
          }
        },
      ),
      { numRuns: 300 },
    );
    // The exact branch is the point of this property: most inputs must reach it.
    expect(exact).toBeGreaterThan(runs / 2);
  });
});
