import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FixedSizeReservoir } from './reservoir.js';
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
