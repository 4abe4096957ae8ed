/**
 * The `q`-quantile of a bucketed distribution, interpolated linearly inside the bucket that holds
 * it, as Prometheus' `histogram_quantile` does. `bucketCounts` has one more entry than
 * `boundaries` (the +Inf bucket). `undefined` when the distribution is empty; a quantile in the
 * +Inf bucket is reported as the highest finite boundary.
 */
export function bucketQuantile(
  q: number,
  boundaries: readonly number[],
  bucketCounts: readonly number[],
): number | undefined {
  const total = bucketCounts.reduce((a, b) => a + b, 0);
  if (total <= 0 || boundaries.length === 0) return undefined;
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < bucketCounts.length; i++) {
    const count = bucketCounts[i] ?? 0;
    if (count > 0 && cumulative + count >= rank) {
      if (i >= boundaries.length) return boundaries[boundaries.length - 1];
      const lower = i === 0 ? Math.min(0, boundaries[0] as number) : (boundaries[i - 1] as number);
      const upper = boundaries[i] as number;
      return lower + (upper - lower) * ((rank - cumulative) / count);
    }
    cumulative += count;
  }
  return boundaries[boundaries.length - 1];
}
