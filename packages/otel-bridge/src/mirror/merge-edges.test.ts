// earliest() on start times that share their seconds: the one with fewer nanoseconds, whichever
// argument it is. StrykerJS survivors of mirror/ (docs/reliability.md).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { earliest } from './merge.js';

describe('earliest', () => {
  it('picks the earlier of two times, seconds first, then nanoseconds (property)', () => {
    const time = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }));
    fc.assert(
      fc.property(time, time, (a, b) => {
        const nanos = ([s, n]: [number, number]) => s * 1e9 + n;
        expect(nanos(earliest(a, b))).toBe(Math.min(nanos(a), nanos(b)));
      }),
    );
    expect(earliest([5, 1], [5, 9])).toEqual([5, 1]);
    expect(earliest([5, 9], [5, 1])).toEqual([5, 1]);
  });
});
