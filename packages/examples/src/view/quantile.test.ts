import { describe, expect, test } from 'vitest';
import { bucketQuantile } from './quantile.js';

describe('bucketQuantile', () => {
  const bounds = [0.01, 0.1, 1];

  test('interpolates inside the bucket holding the rank, as histogram_quantile does', () => {
    // 10 observations in (0, 0.01], 10 in (0.01, 0.1]
    expect(bucketQuantile(0.5, bounds, [10, 10, 0, 0])).toBeCloseTo(0.01, 9);
    expect(bucketQuantile(0.75, bounds, [10, 10, 0, 0])).toBeCloseTo(0.01 + 0.09 * 0.5, 9);
    expect(bucketQuantile(0.25, bounds, [10, 10, 0, 0])).toBeCloseTo(0.005, 9);
  });

  test('reports the highest finite boundary for a rank in the +Inf bucket', () => {
    expect(bucketQuantile(0.99, bounds, [0, 0, 1, 99])).toBe(1);
  });

  test('is undefined for an empty distribution', () => {
    expect(bucketQuantile(0.5, bounds, [0, 0, 0, 0])).toBeUndefined();
  });
});
