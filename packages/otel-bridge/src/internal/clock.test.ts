import { millisToHrTime as otelMillisToHrTime } from '@opentelemetry/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { millisToHrTime } from './clock.js';

const asNanos = ([s, n]: readonly [number, number]) => BigInt(s) * 1_000_000_000n + BigInt(n);

describe('millisToHrTime', () => {
  it('denotes the same instant as @opentelemetry/core for any epoch time', () => {
    // Up to year ~2200, with sub-millisecond fractions as performance.now() yields.
    const epochMillis = fc.double({ min: 0, max: 7.3e12, noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(epochMillis, (ms) => {
        const ours = millisToHrTime(ms);
        expect(asNanos(ours)).toBe(asNanos(otelMillisToHrTime(ms)));
        expect(ours[1]).toBeGreaterThanOrEqual(0);
        expect(ours[1]).toBeLessThan(1e9);
      }),
    );
  });

  it('carries a fraction that rounds up to a whole second', () => {
    expect(millisToHrTime(1999.9999999)).toEqual([2, 0]);
    expect(millisToHrTime(1_700_000_000_123.5)).toEqual([1_700_000_000, 123_500_000]);
  });
});
