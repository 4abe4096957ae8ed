// The buckets of one sign of an exponential histogram, as OpenTelemetry exports them: the count of
// bucket `offset + i` at `bucketCounts[i]`, from the first counted bucket to the last. The array is
// the live state: no copy is needed to read it, and recording grows it at either end.

import type { ExponentialBuckets } from '../../snapshots/types.js';

export type { ExponentialBuckets };

/** Adds `increment` (> 0) to bucket `index`, growing the counts at either end as needed. */
export function addAt(buckets: ExponentialBuckets, index: number, increment: number): void {
  const counts = buckets.bucketCounts;
  const at = index - buckets.offset;
  if (counts.length === 0) {
    buckets.offset = index;
    counts.push(increment);
  } else if (at < 0) {
    // Rare (a new lowest bucket) and at most maxSize long: a splice is cheap enough.
    counts.splice(0, 0, increment, ...new Array<number>(-at - 1).fill(0));
    buckets.offset = index;
  } else if (at >= counts.length) {
    // Push, not a write past the end: the array stays packed (no holes).
    while (counts.length < at) counts.push(0);
    counts.push(increment);
  } else {
    counts[at] = (counts[at] as number) + increment;
  }
}

/**
 * Merges each `2^change` neighbouring buckets into one: bucket `i` becomes `i >> change` (the
 * index of the same values at a scale `change` lower). In place.
 */
export function downscale(buckets: ExponentialBuckets, change: number): void {
  const counts = buckets.bucketCounts;
  if (change === 0 || counts.length === 0) return;
  const offset = buckets.offset;
  const start = offset >> change;
  // Slot ((offset + i) >> change) - start never passes slot i, which is read first: the array
  // is compacted front to back.
  let out = -1;
  for (let i = 0; i < counts.length; i++) {
    const j = ((offset + i) >> change) - start;
    if (j !== out) {
      out = j;
      counts[j] = counts[i] as number;
    } else {
      counts[j] = (counts[j] as number) + (counts[i] as number);
    }
  }
  counts.length = out + 1;
  buckets.offset = start;
}

/** Adds every count of `source` into `target`, bucket `i` of `source` into bucket `i >> shift`. */
export function addShifted(
  target: ExponentialBuckets,
  source: ExponentialBuckets,
  shift: number,
): void {
  const counts = source.bucketCounts;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i] as number;
    if (count !== 0) addAt(target, (source.offset + i) >> shift, count);
  }
}

/** `2^change` neighbouring buckets merged into one, as new buckets. */
export function downscaled(buckets: ExponentialBuckets, change: number): ExponentialBuckets {
  const copy = copyBuckets(buckets);
  downscale(copy, change);
  return copy;
}

/** A copy sharing nothing with `buckets`. */
export function copyBuckets(buckets: ExponentialBuckets): ExponentialBuckets {
  return { offset: buckets.offset, bucketCounts: buckets.bucketCounts.slice() };
}

/** The bucket span (`end - start + 1`) of `buckets` and `other` together, at the same scale. */
export function spanWith(
  a: ExponentialBuckets,
  aShift: number,
  b: ExponentialBuckets,
  bShift: number,
): [number, number] | undefined {
  const aEmpty = a.bucketCounts.length === 0;
  const bEmpty = b.bucketCounts.length === 0;
  if (aEmpty && bEmpty) return undefined;
  const aLow = a.offset >> aShift;
  const aHigh = (a.offset + a.bucketCounts.length - 1) >> aShift;
  const bLow = b.offset >> bShift;
  const bHigh = (b.offset + b.bucketCounts.length - 1) >> bShift;
  if (aEmpty) return [bLow, bHigh];
  if (bEmpty) return [aLow, aHigh];
  return [Math.min(aLow, bLow), Math.max(aHigh, bHigh)];
}
