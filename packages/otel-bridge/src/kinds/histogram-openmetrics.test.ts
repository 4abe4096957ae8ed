import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BridgeExemplar } from '../exemplars/types.js';
import { histogramOpenMetrics, histogramReservoir } from './histogram-openmetrics.js';

// The OpenMetrics samples of one histogram point, written directly (no pipeline): the cases a
// well-formed core point never produces but a foreign or merged point may (StrykerJS survivors of
// kinds/histogram-openmetrics.ts).

const exemplar = (value: number): BridgeExemplar => ({
  value,
  time: 1_700_000_000_000,
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
});

function lines(
  boundaries: number[],
  counts: number[],
  exemplars?: Array<BridgeExemplar | undefined>,
): string[] {
  const count = counts.reduce((a, b) => a + b, 0);
  return histogramOpenMetrics
    .samples('h', 'k="v"', {
      attributes: {},
      startTime: [0, 0],
      endTime: [0, 0],
      value: { buckets: { boundaries, counts }, count, sum: count },
      ...(exemplars === undefined ? {} : { exemplars }),
    } as Parameters<typeof histogramOpenMetrics.samples>[2])
    .trim()
    .split('\n');
}

/** The bucket lines (`le` and the exemplar value printed on it, if any). */
const buckets = (out: string[]) =>
  out
    .filter((line) => line.startsWith('h_bucket'))
    .map((line) => {
      const le = /le="([^"]+)"/.exec(line)?.[1];
      const printed = / # \{[^}]*\} (\S+)/.exec(line)?.[1];
      return printed === undefined ? le : `${le}:${printed}`;
    });

describe('OpenMetrics histogram samples', () => {
  it('end with exactly one +Inf bucket equal to the count, even when the counts are shorter than the buckets', () => {
    // a foreign point with one count per bound but none for +Inf
    const out = lines([1, 5], [2, 3]);
    expect(buckets(out)).toEqual(['1', '5', '+Inf']);
    expect(out).toContain('h_bucket{k="v",le="+Inf"} 5');
    expect(out.filter((line) => line.includes('le="+Inf"'))).toHaveLength(1);
    // well-formed: still one +Inf line, cumulative
    expect(lines([1, 5], [2, 3, 4]).filter((line) => line.includes('le="+Inf"'))).toEqual([
      'h_bucket{k="v",le="+Inf"} 9',
    ]);
  });

  it('print an exemplar only on the bucket it lies in: (previous bound, bound]', () => {
    // slot 1 is the bucket (1, 5]: 5 lies in it, 1 and 7 do not
    expect(buckets(lines([1, 5], [0, 1, 0], [undefined, exemplar(5), undefined]))).toEqual([
      '1',
      '5:5',
      '+Inf',
    ]);
    expect(buckets(lines([1, 5], [0, 1, 0], [undefined, exemplar(1), undefined]))).toEqual([
      '1',
      '5',
      '+Inf',
    ]);
    expect(buckets(lines([1, 5], [0, 1, 0], [undefined, exemplar(7), undefined]))).toEqual([
      '1',
      '5',
      '+Inf',
    ]);
  });

  it('never print an exemplar outside its bucket, for any boundaries and exemplar values', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.option(fc.integer({ min: 0, max: 25 }), { nil: undefined }), {
          minLength: 6,
          maxLength: 6,
        }),
        (bounds, values) => {
          const boundaries = [...bounds].sort((a, b) => a - b);
          const slots = values
            .slice(0, boundaries.length + 1)
            .map((v) => (v === undefined ? undefined : exemplar(v)));
          const counts = new Array<number>(boundaries.length + 1).fill(1);
          const printed = buckets(lines(boundaries, counts, slots));
          printed.forEach((entry, i) => {
            const lower = i === 0 ? Number.NEGATIVE_INFINITY : (boundaries[i - 1] as number);
            const upper = boundaries[i] ?? Number.POSITIVE_INFINITY;
            const value = slots[i]?.value;
            const inside = value !== undefined && value > lower && value <= upper;
            expect(entry?.includes(':')).toBe(inside);
          });
        },
      ),
    );
  });
});

describe('histogramReservoir', () => {
  it('keeps none for a histogram descriptor without boundaries (a hand-written metric)', () => {
    expect(histogramReservoir({ name: 'h', kind: 'histogram', selector: 'x' })).toBeUndefined();
    const factory = histogramReservoir({
      name: 'h',
      kind: 'histogram',
      selector: 'x',
      boundaries: [1],
    });
    expect(factory?.().collect()).toBeUndefined();
  });
});
