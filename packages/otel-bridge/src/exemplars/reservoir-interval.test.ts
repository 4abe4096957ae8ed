import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BucketReservoir, FixedSizeReservoir } from './reservoir.js';
import type { BridgeExemplar } from './types.js';

const at = (value: number): BridgeExemplar => ({
  value,
  time: value,
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
});

describe('FixedSizeReservoir after a collection', () => {
  it('takes the next measurements into its slots whatever the random draw (a new interval counts from 0)', () => {
    let draw = 0.1;
    const reservoir = new FixedSizeReservoir(2, () => draw);
    for (const value of [1, 2, 3, 4, 5]) reservoir.offer(at(value)); // 5 seen in this interval
    expect(reservoir.collect()?.map((e) => e?.value)).toEqual([5, 2]);
    // The highest draw there is: counted from the previous interval's 5 (index floor(0.999 * 6) = 5),
    // the measurement would fall outside the reservoir and be lost.
    draw = 0.999;
    reservoir.offer(at(6));
    reservoir.offer(at(7));
    expect(reservoir.collect()?.map((e) => e?.value)).toEqual([6, 7]);
  });

  it('an interval of at most `size` measurements fills the first slots in order, for any draws and earlier intervals', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 12 }), { maxLength: 6 }),
        fc.infiniteStream(fc.double({ min: 0, max: 0.9999999, noNaN: true })),
        (size, intervals, draws) => {
          const reservoir = new FixedSizeReservoir(size, () => draws.next().value as number);
          let previous: Array<number | undefined> = new Array(size).fill(undefined);
          for (const interval of intervals) {
            for (const value of interval) reservoir.offer(at(value));
            const collected = reservoir.collect()?.map((e) => e?.value);
            if (interval.length <= size) {
              // in order from the first slot; the slots it did not reach keep the older exemplars
              const expected = [...interval, ...previous.slice(interval.length)];
              if (expected.every((value) => value === undefined)) expect(collected).toBeUndefined();
              else expect(collected).toEqual(expected);
            } else {
              // a sample: every slot holds one of this interval's measurements
              expect(collected?.every((value) => interval.includes(value as number))).toBe(true);
            }
            previous = collected ?? previous;
          }
        },
      ),
    );
  });
});

describe('reservoirs hand out copies, one slot per bucket', () => {
  it('BucketReservoir: one slot per bucket (the +Inf one included), empty upper buckets too', () => {
    const reservoir = new BucketReservoir([1, 5, 10]);
    reservoir.offer(at(0.5));
    const collected = reservoir.collect();
    expect(collected).toHaveLength(4);
    expect(collected).toEqual([
      expect.objectContaining({ value: 0.5 }),
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('an earlier collection does not change when later measurements arrive', () => {
    const buckets = new BucketReservoir([1]);
    buckets.offer(at(0.5));
    const earlierBuckets = buckets.collect();
    buckets.offer(at(0.7));
    buckets.offer(at(3));
    expect(earlierBuckets?.map((e) => e?.value)).toEqual([0.5, undefined]);

    const fixed = new FixedSizeReservoir(2, () => 0);
    fixed.offer(at(1));
    const earlierFixed = fixed.collect();
    fixed.offer(at(2));
    fixed.offer(at(3));
    expect(earlierFixed?.map((e) => e?.value)).toEqual([1, undefined]);
  });

  it('FixedSizeReservoir replaces slot floor(draw × seen) once full, for any draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 20 }),
        fc.double({ min: 0, max: 0.9999999, noNaN: true }),
        (size, extra, draw) => {
          let next = 0;
          const reservoir = new FixedSizeReservoir(size, () => next);
          for (let value = 0; value < size + extra - 1; value++) reservoir.offer(at(value));
          const before = reservoir.collect()?.map((e) => e?.value) ?? [];
          // the same measurements again, then one more with `draw`: it is the (size + extra)th
          for (let value = 0; value < size + extra - 1; value++) reservoir.offer(at(value));
          next = draw;
          reservoir.offer(at(-1));
          const after = reservoir.collect()?.map((e) => e?.value) ?? [];
          const index = Math.floor(draw * (size + extra));
          const expected = [...before];
          if (index < size) expected[index] = -1;
          expect(after).toEqual(expected);
        },
      ),
    );
  });
});
