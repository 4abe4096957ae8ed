import { describe, expect, it } from 'vitest';
import { MetricsWiringError } from '../errors/index.js';
import { isOverflowPolicy, overflowPolicyNames } from '../internal/overflow.js';
import { createTestRecorder } from '../testing/index.js';
import { counter, histogram } from './index.js';

// StrykerJS survivors of metrics/histogram.ts (bucket checks and their message) and
// internal/overflow.ts (policy names), each pinned by what a user sees.

const make = (buckets: unknown) =>
  histogram({ name: 'h', on: 'e', value: () => 1, buckets: buckets as number[] });

function wiringError(buckets: unknown): MetricsWiringError {
  try {
    make(buckets);
  } catch (error) {
    return error as MetricsWiringError;
  }
  throw new Error('accepted');
}

describe('histogram buckets', () => {
  it('refuses buckets it cannot read (a revoked Proxy), naming the option', () => {
    const { proxy, revoke } = Proxy.revocable([1, 2], {});
    revoke();
    const error = wiringError(proxy);
    expect(error).toBeInstanceOf(MetricsWiringError);
    expect(error.code).toBe('invalid-metric-options');
    expect(error.message).toBe(
      'Histogram "h": buckets must be strictly increasing finite numbers, got an object.',
    );
  });

  it.each([
    [[1, 1], 'got [1,1]'],
    [[2, 1], 'got [2,1]'],
    [['1', 2], 'got ["1",2]'],
    [[1, Number.NaN], 'got [1,null]'],
    [[1n, 2n], 'got an array'],
    [undefined as unknown, ''],
  ])('refuses %s and shows what it got (%s)', (buckets, shown) => {
    if (buckets === undefined) {
      // no buckets: the defaults, accepted
      expect(() => make(undefined)).not.toThrow();
      return;
    }
    const error = wiringError(buckets);
    expect(error.code).toBe('invalid-metric-options');
    expect(error.message).toContain(shown);
  });

  it('takes an accepted bucket list as a copy: changing it later changes nothing', () => {
    const buckets = [1, 5];
    const recorder = createTestRecorder([
      histogram({ name: 'h', on: 'e', value: (e: { v: number }) => e.v, buckets }),
    ]);
    buckets[0] = 100;
    recorder.registerEvent({ type: 'e', v: 3 });
    const point = recorder.getMetricSnapshots()[0]?.points[0] as {
      boundaries: number[];
      bucketCounts: number[];
    };
    expect(point.boundaries).toEqual([1, 5]);
    expect(point.bucketCounts).toEqual([0, 1, 0]);
  });
});

describe('overflow policy names', () => {
  it('lists every policy for error messages', () => {
    expect(overflowPolicyNames()).toBe("'drop-newest' or 'drop-oldest'");
  });

  it('accepts the two names only, never an object that prints as one', () => {
    expect(isOverflowPolicy('drop-newest')).toBe(true);
    expect(isOverflowPolicy('drop-oldest')).toBe(true);
    expect(isOverflowPolicy({ toString: () => 'drop-oldest' })).toBe(false);
    expect(isOverflowPolicy(['drop-oldest'])).toBe(false);
    expect(isOverflowPolicy('toString')).toBe(false);
    expect(() =>
      createTestRecorder([counter({ name: 'c', on: 'e' })], {
        overflow: ['drop-oldest'] as never,
      }),
    ).toThrow("overflow must be 'drop-newest' or 'drop-oldest', got an array.");
  });
});
