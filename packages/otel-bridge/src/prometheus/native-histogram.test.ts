import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BucketSpan, nativeHistogram } from './native-histogram.js';

/** Prometheus' reading of spans and deltas: count by bucket index (client_model's comments). */
function decode(spans: BucketSpan[], deltas: number[]): Map<number, number> {
  const buckets = new Map<number, number>();
  let index = 0;
  let count = 0;
  let d = 0;
  spans.forEach((span) => {
    index += span.offset; // absolute for the first span, a gap for the others
    for (let k = 0; k < span.length; k++) {
      count += deltas[d++] as number;
      if (count !== 0) buckets.set(index, count);
      index++;
    }
  });
  expect(d).toBe(deltas.length);
  return buckets;
}

/** The OpenTelemetry buckets merged 2^change to one, keyed by Prometheus index (upper boundary). */
function expected(offset: number, counts: number[], change: number): Map<number, number> {
  const buckets = new Map<number, number>();
  counts.forEach((count, i) => {
    const at = ((offset + i) >> change) + 1;
    if (count !== 0) buckets.set(at, (buckets.get(at) ?? 0) + count);
  });
  return buckets;
}

const buckets = fc.record({
  offset: fc.integer({ min: -(2 ** 30), max: 2 ** 30 - 200 }),
  bucketCounts: fc.array(fc.oneof(fc.constant(0), fc.nat({ max: 1e9 })), { maxLength: 160 }),
});

describe('nativeHistogram', () => {
  it('keeps scales -4..8 as the schema and moves each bucket up one index', () => {
    const native = nativeHistogram({
      count: 7,
      sum: 3.5,
      scale: 3,
      zeroCount: 1,
      positive: { offset: -2, bucketCounts: [2, 1] },
      negative: { offset: 5, bucketCounts: [3] },
    });
    expect(native).toEqual({
      sampleCount: 7,
      sampleSum: 3.5,
      schema: 3,
      zeroThreshold: 0,
      zeroCount: 1,
      positiveSpan: [{ offset: -1, length: 2 }],
      positiveDelta: [2, -1],
      negativeSpan: [{ offset: 6, length: 1 }],
      negativeDelta: [3],
    });
  });

  it('lowers a scale above 8 to schema 8 by merging buckets', () => {
    const native = nativeHistogram({
      count: 4,
      scale: 10,
      zeroCount: 0,
      // indexes 4..7 at scale 10 are index 1 at scale 8, 8 is 2
      positive: { offset: 4, bucketCounts: [1, 0, 1, 1, 1] },
      negative: { offset: 0, bucketCounts: [] },
    });
    expect(native).toMatchObject({
      schema: 8,
      positiveSpan: [{ offset: 2, length: 2 }],
      positiveDelta: [3, -2],
      negativeSpan: [],
    });
    expect(native).not.toHaveProperty('sampleSum'); // a point without a sum sends none
  });

  it('marks a histogram without buckets as native with an empty span', () => {
    expect(
      nativeHistogram({
        count: 2,
        sum: 0,
        scale: 0,
        zeroCount: 2,
        positive: { offset: 0, bucketCounts: [] },
        negative: { offset: 0, bucketCounts: [] },
      }),
    ).toMatchObject({ zeroCount: 2, positiveSpan: [{ offset: 0, length: 0 }], positiveDelta: [] });
  });

  it('refuses a scale below -4, which Prometheus cannot read', () => {
    const empty = { offset: 0, bucketCounts: [] };
    const value = { count: 1, scale: -5, zeroCount: 1, positive: empty, negative: empty };
    expect(nativeHistogram(value)).toBeUndefined();
    expect(nativeHistogram({ ...value, scale: -4 })?.schema).toBe(-4);
  });

  it('encodes every bucket count so that Prometheus decodes the same counts', () => {
    fc.assert(
      fc.property(
        buckets,
        buckets,
        fc.integer({ min: -4, max: 20 }),
        (positive, negative, scale) => {
          const native = nativeHistogram({ count: 0, scale, zeroCount: 0, positive, negative });
          if (native === undefined) throw new Error('scale >= -4 has a schema');
          const change = scale - native.schema;
          const empty =
            positive.bucketCounts.every((c) => c === 0) &&
            negative.bucketCounts.every((c) => c === 0);
          if (!empty) {
            expect(decode(native.positiveSpan, native.positiveDelta)).toEqual(
              expected(positive.offset, positive.bucketCounts, change),
            );
          }
          expect(decode(native.negativeSpan, native.negativeDelta)).toEqual(
            expected(negative.offset, negative.bucketCounts, change),
          );
          // Spans are never empty (but the marker) and are separated by gaps of three or more.
          for (const span of [...native.positiveSpan, ...native.negativeSpan].filter(
            (s) => !(s.length === 0 && empty),
          )) {
            expect(span.length).toBeGreaterThan(0);
          }
          for (const spans of [native.positiveSpan, native.negativeSpan]) {
            for (const span of spans.slice(1)) expect(span.offset).toBeGreaterThan(2);
          }
        },
      ),
    );
  });
});
