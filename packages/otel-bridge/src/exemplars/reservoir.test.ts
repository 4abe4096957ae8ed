import { describe, expect, it } from 'vitest';
import { BucketReservoir, FixedSizeReservoir } from './reservoir.js';
import type { BridgeExemplar } from './types.js';

const at = (value: number, time = 1): BridgeExemplar => ({
  value,
  time,
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
});

describe('BucketReservoir', () => {
  it('keeps the latest measurement of each bucket, a bound belonging to its own bucket', () => {
    const reservoir = new BucketReservoir([1, 5]);
    expect(reservoir.collect()).toBeUndefined();
    reservoir.offer(at(0.5, 1));
    reservoir.offer(at(1, 2)); // le="1" holds 1 itself
    reservoir.offer(at(3, 3));
    reservoir.offer(at(100, 4));
    expect(reservoir.collect()?.map((e) => e?.value)).toEqual([1, 3, 100]);
    reservoir.offer(at(4, 5));
    expect(reservoir.collect()?.map((e) => e?.value)).toEqual([1, 4, 100]);
  });
});

describe('FixedSizeReservoir', () => {
  it('fills its slots, then samples uniformly, and starts afresh after each collection', () => {
    let next = 0;
    const reservoir = new FixedSizeReservoir(2, () => next);
    reservoir.offer(at(1));
    reservoir.offer(at(2));
    next = 0.9; // index floor(0.9 * 3) = 2: outside the reservoir, dropped
    reservoir.offer(at(3));
    next = 0.1; // index 0: replaces the first
    reservoir.offer(at(4));
    expect(reservoir.collect()?.map((e) => e?.value)).toEqual([4, 2]);
    reservoir.offer(at(5)); // a new interval: the first slot is taken at once
    expect(reservoir.collect()?.map((e) => e?.value)).toEqual([5, 2]);
  });
});
