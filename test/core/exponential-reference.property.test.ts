// Property: core's exponential histogram aggregation gives, for the same values recorded in the same
// order, the scale, zero count, offsets, bucket counts, count, sum, min and max that OpenTelemetry's
// own sdk-metrics gives with its exponential aggregation. sdk-metrics is driven as a user drives it
// (a MeterProvider, a View selecting EXPONENTIAL_HISTOGRAM, one collection); a Histogram instrument
// refuses negative values and a Gauge reports no sum, so sequences with negatives are compared
// through a Gauge for everything but the sum, and through sdk-metrics' accumulation for the sum.
import {
  AggregationType,
  DataPointType,
  type ExponentialHistogram,
  MeterProvider,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import { ExponentialHistogramAccumulation } from '@opentelemetry/sdk-metrics/build/src/aggregator/ExponentialHistogram.js';
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
import {
  logarithmLeavesOctave,
  oracleBuckets,
  oracleIndex,
} from '../support/exponential-oracle.js';

class CollectingReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

type Instrument = 'histogram' | 'gauge';

/** What sdk-metrics exports after each batch is recorded and collected (cumulative). */
async function sdkPoints(
  batches: number[][],
  maxSize: number,
  instrument: Instrument,
): Promise<ExponentialHistogram[]> {
  const reader = new CollectingReader();
  const provider = new MeterProvider({
    readers: [reader],
    views: [
      {
        instrumentName: 'latency',
        aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize } },
      },
    ],
  });
  try {
    const meter = provider.getMeter('reference');
    const target =
      instrument === 'histogram' ? meter.createHistogram('latency') : meter.createGauge('latency');
    const points: ExponentialHistogram[] = [];
    for (const batch of batches) {
      for (const value of batch) target.record(value);
      const { resourceMetrics, errors } = await reader.collect();
      expect(errors).toEqual([]);
      const metric = resourceMetrics.scopeMetrics[0]?.metrics[0];
      if (metric === undefined) continue; // nothing recorded yet
      expect(metric.dataPointType).toBe(DataPointType.EXPONENTIAL_HISTOGRAM);
      points.push(metric.dataPoints[0]?.value as ExponentialHistogram);
    }
    return points;
  } finally {
    await provider.shutdown();
  }
}

/** Core's state for `values`, and the values it accepted (a sum that would overflow is refused). */
function recorded(values: number[], limits: ExponentialLimits) {
  const state = emptyState();
  const accepted = values.filter((value) => record(state, value, limits));
  return { state, accepted };
}

/** Core's value in the shape sdk-metrics exports (a Gauge carries no sum). */
function asExported(state: ExponentialState, withSum: boolean) {
  const { sum, ...rest } = copyState(state);
  return withSum ? { ...rest, sum } : { ...rest, sum: undefined };
}

/** sdk-metrics' point without the fields it adds of its own. */
function reference(point: ExponentialHistogram | undefined) {
  if (point === undefined) return undefined;
  const { count, sum, min, max, scale, zeroCount, positive, negative } = point;
  return { count, sum, min, max, scale, zeroCount, positive, negative };
}

// Values: magnitudes over 1e-300..1e300 spread by their bits, the float64 extremes (subnormals,
// 2^-1022, MAX_VALUE), exact powers of two and their neighbours (bucket boundaries), zeros of
// both signs, and clusters that walk outwards so the scale has to drop step by step. Left out:
// the neighbours of a power of two that sdk-metrics' logarithm puts in the bucket across that
// power (255.99999999999994 in 256's next bucket), where it is wrong by the data model and core
// is not; "where core differs" below shows it, and exponential-oracle.property.test.ts holds core
// to the exact buckets for those values.
const sdkMapsExactly = (value: number) => !logarithmLeavesOctave(Math.abs(value));
const magnitude = fc
  .oneof(
    { weight: 6, arbitrary: fc.double({ min: 1e-300, max: 1e300, noNaN: true }) },
    { weight: 2, arbitrary: fc.integer({ min: -1074, max: 1023 }).map((e) => 2 ** e) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.integer({ min: -1021, max: 1022 }), fc.constantFrom(-1, 1))
        .map(([e, side]) => 2 ** e * (1 + side * Number.EPSILON)),
    },
    { weight: 1, arbitrary: fc.double({ min: Number.MIN_VALUE, max: 2 ** -1022, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(Number.MAX_VALUE, 2 ** -1022, Number.MIN_VALUE) },
    { weight: 1, arbitrary: fc.double({ min: 0.001, max: 10, noNaN: true }) },
  )
  .filter(sdkMapsExactly);
const signed = (negatives: boolean) =>
  fc.oneof(
    {
      weight: 8,
      arbitrary: negatives
        ? fc.tuple(magnitude, fc.boolean()).map(([m, neg]) => (neg ? -m : m))
        : magnitude,
    },
    { weight: 1, arbitrary: fc.constantFrom(0, -0) },
  );
/** A cluster that widens: each value a factor away from the last, so rescaling happens gradually. */
const walk = (negatives: boolean) =>
  fc
    .tuple(
      fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
      fc.array(fc.double({ min: 0.5, max: 2, noNaN: true }), { minLength: 1, maxLength: 400 }),
      fc.boolean(),
    )
    .map(([start, factors, alternate]) => {
      let v = start;
      return factors
        .map((f, i) => {
          v *= f;
          return negatives && alternate && i % 3 === 0 ? -v : v;
        })
        .filter(sdkMapsExactly);
    });
const values = (negatives: boolean) =>
  fc.oneof(
    fc.array(signed(negatives), { maxLength: 300 }),
    walk(negatives),
    fc.array(fc.constantFrom(0, -0), { maxLength: 5 }),
  );
const maxSize = fc.oneof(fc.constant(160), fc.constantFrom(2, 3, 4, 8, 20, 64));

describe('the exponential aggregation equals sdk-metrics (maxScale 20)', () => {
  it('for non-negative values through a Histogram instrument: every field', async () => {
    await fc.assert(
      fc.asyncProperty(values(false), maxSize, async (input, size) => {
        const { state, accepted } = recorded(input, { maxSize: size, maxScale: 20 });
        const [point] = await sdkPoints([accepted], size, 'histogram');
        if (accepted.length === 0) expect(point).toBeUndefined();
        else expect(asExported(state, true)).toEqual(reference(point));
      }),
      { numRuns: 300 },
    );
  });

  it('for values of both signs through a Gauge instrument: every field but the sum', async () => {
    await fc.assert(
      fc.asyncProperty(values(true), maxSize, async (input, size) => {
        const { state, accepted } = recorded(input, { maxSize: size, maxScale: 20 });
        const [point] = await sdkPoints([accepted], size, 'gauge');
        if (accepted.length === 0) expect(point).toBeUndefined();
        else expect(asExported(state, false)).toEqual(reference(point));
      }),
      { numRuns: 300 },
    );
  });

  it("for values of both signs through sdk-metrics' accumulation: the sum too", () => {
    fc.assert(
      fc.property(values(true), maxSize, (input, size) => {
        const { state, accepted } = recorded(input, { maxSize: size, maxScale: 20 });
        const accumulation = new ExponentialHistogramAccumulation([0, 0], size);
        for (const value of accepted) accumulation.record(value);
        const { hasMinMax: _, ...expected } = accumulation.toPointValue();
        const actual = copyState(state);
        if (accepted.length === 0) {
          // sdk-metrics' empty accumulation holds ±Infinity; a snapshot must stay JSON: 0
          expect({ ...actual, min: expected.min, max: expected.max }).toEqual(expected);
          return;
        }
        expect(actual).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('merges as sdk-metrics merges a cumulative series across collections', async () => {
    // sdk-metrics merges each collection's delta into the previous cumulative point. Its merge
    // widens an empty sign's range to include index 0 and takes an all-zero side's scale as 0
    // (see "merges where sdk-metrics' merge loses resolution" below), so both sides here hold a
    // value of each sign they record.
    const side = (negatives: boolean) =>
      fc
        .tuple(values(negatives), magnitude, magnitude)
        .map(([v, p, n]) => (negatives ? [p, -n, ...v] : [p, ...v]));
    for (const instrument of ['histogram', 'gauge'] as const) {
      const negatives = instrument === 'gauge';
      await fc.assert(
        fc.asyncProperty(side(negatives), side(negatives), maxSize, async (a, b, size) => {
          const limits = { maxSize: size, maxScale: 20 };
          const first = recorded(a, limits);
          const second = recorded(b, limits);
          // sdk-metrics merges the previous point into a copy of the new delta; in that order
          // min and max keep the same zero (-0 or 0) when both sides hold one.
          const merged = recorded(second.accepted, limits).state;
          if (!mergeInto(merged, first.state, limits)) return; // the sum would overflow
          const [, point] = await sdkPoints([first.accepted, second.accepted], size, instrument);
          expect(asExported(merged, !negatives)).toEqual(reference(point));
        }),
        { numRuns: 150 },
      );
    }
  });
});

describe('where core differs from sdk-metrics, on purpose', () => {
  it("merges where sdk-metrics' merge loses resolution: a side without values of a sign", () => {
    // Recording everything into one histogram is the truth a merge should reproduce.
    const limits = { maxSize: 160, maxScale: 20 };
    const onlyZeros = recorded([0, 0], limits).state;
    const latencies = recorded([0.25, 0.3, 0.31, 1.7], limits).state;
    const merged = recorded([0, 0], limits).state;
    mergeInto(merged, latencies, limits);
    expect(copyState(merged)).toEqual(
      copyState(recorded([0, 0, 0.25, 0.3, 0.31, 1.7], limits).state),
    );
    const other = recorded([0.25, 0.3, 0.31, 1.7], limits).state;
    mergeInto(other, onlyZeros, limits);
    expect(copyState(other).scale).toBe(copyState(latencies).scale);
  });

  it("maps a value beside a power of two into its octave, where sdk-metrics' logarithm crosses it", () => {
    // floor(ln(v) * log2(e) * 2^20) rounds across the power of two for these values: sdk-metrics
    // puts each in the bucket above the one the data model gives (the spec allows the logarithm
    // method to be inexact; the octave is exact from the value's own exponent, and core keeps it).
    const limits = { maxSize: 160, maxScale: 20 };
    for (const v of [255.99999999999994, 2 ** -160 * (1 - 2 ** -52), 15.999999999999996]) {
      expect(v).toBeLessThan(2 ** Math.ceil(Math.log2(v)));
      const accumulation = new ExponentialHistogramAccumulation([0, 0], 160);
      accumulation.record(v);
      const exact = oracleIndex(v, 20);
      expect(accumulation.toPointValue().positive.offset).toBe(exact + 1);
      expect(copyState(recorded([v], limits).state).positive).toEqual({
        offset: exact,
        bucketCounts: [1],
      });
    }
  });

  it("counts each value once where sdk-metrics' bucket ring overflows and counts one twice", async () => {
    // fast-check seed -1205045924 of the merge property above. sdk-metrics maps 2^-160 - 2 ulps at
    // scale 20 to 2^-160's upper neighbour, decides from that index that scale 0 is enough, then
    // maps it afresh at scale 0 exactly (bucket -161): with 1 - 2 ulps in bucket -1 that is 161
    // buckets in a ring of maxSize 160, and the two ends share a slot. Its point then holds 4
    // positive bucket counts for 2 positive values (the data model requires count = zero count +
    // the bucket counts), and the cumulative point after the next collection keeps them.
    const limits = { maxSize: 160, maxScale: 20 };
    const a = [0.9999999999999998, -0.001, 6.842277657836019e-49];
    const b = [1e-300, -1e-300, 5e-7];
    const [first, cumulative] = await sdkPoints([a, b], 160, 'gauge');
    const total = (point: ExponentialHistogram | undefined) =>
      (point?.zeroCount ?? 0) +
      [...(point?.positive.bucketCounts ?? []), ...(point?.negative.bucketCounts ?? [])].reduce(
        (x, y) => x + y,
        0,
      );
    expect({ count: first?.count, total: total(first) }).toEqual({ count: 3, total: 5 });
    expect({ count: cumulative?.count, total: total(cumulative) }).toEqual({ count: 6, total: 8 });
    // Core: scale -1 for the first collection (161 buckets do not fit at scale 0), -3 merged,
    // every value in the bucket the oracle gives it.
    const core = recorded(a, limits).state;
    expect({ scale: core.scale, positive: core.positive }).toEqual({
      scale: -1,
      positive: oracleBuckets([0.9999999999999998, 6.842277657836019e-49], -1),
    });
    const merged = recorded(b, limits).state;
    expect(mergeInto(merged, core, limits)).toBe(true);
    expect({ scale: merged.scale, positive: merged.positive, negative: merged.negative }).toEqual({
      scale: -3,
      positive: oracleBuckets([0.9999999999999998, 6.842277657836019e-49, 1e-300, 5e-7], -3),
      negative: oracleBuckets([0.001, 1e-300], -3),
    });
    expect(cumulative?.scale).toBe(-3);
  });

  it('refuses a value whose sum would overflow, where sdk-metrics sums to Infinity', () => {
    const limits = { maxSize: 160, maxScale: 20 };
    const state = emptyState();
    expect(record(state, Number.MAX_VALUE, limits)).toBe(true);
    expect(record(state, Number.MAX_VALUE, limits)).toBe(false);
    expect(copyState(state)).toMatchObject({ count: 1, sum: Number.MAX_VALUE });
  });
});
