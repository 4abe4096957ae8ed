/**
 * The bucket of `value` among explicit upper `bounds`: the first bound `>= value`, or
 * `bounds.length` (the +Inf bucket). Buckets are `(previous bound, bound]`, the rule of core's
 * histogram, OpenTelemetry and Prometheus, so the mirror and the exemplars place a value where
 * core counted it.
 */
export function bucketIndex(bounds: readonly number[], value: number): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value <= (bounds[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
