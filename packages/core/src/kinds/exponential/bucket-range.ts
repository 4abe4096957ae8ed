// The buckets of one sign of an exponential histogram: counts by bucket index over a contiguous
// range. Zeros may pad the array on both sides (headroom for growth); `start..end` is the range
// that holds counts, empty while `end < start`.

/** Counts of one sign, by bucket index. */
export interface BucketRange {
  /** The bucket index of `counts[0]`. */
  base: number;
  /** First index counted; `end < start` while nothing is. */
  start: number;
  /** Last index counted. */
  end: number;
  counts: number[];
}

/** A range holding nothing. */
export function emptyRange(): BucketRange {
  return { base: 0, start: 0, end: -1, counts: [] };
}

/** Whether `range` holds no count. */
export function isEmpty(range: BucketRange): boolean {
  return range.end < range.start;
}

/** Adds `increment` (> 0) to bucket `index`, growing the range (and the array) as needed. */
export function addAt(range: BucketRange, index: number, increment: number): void {
  if (range.end < range.start) {
    range.base = index;
    range.start = index;
    range.end = index;
    range.counts = [increment];
    return;
  }
  if (index < range.start) {
    if (index < range.base) growLeft(range, index);
    range.start = index;
  } else if (index > range.end) {
    const counts = range.counts;
    // Push, not a write past the end: the array stays packed (no holes).
    while (counts.length <= index - range.base) counts.push(0);
    range.end = index;
  }
  const at = index - range.base;
  range.counts[at] = (range.counts[at] as number) + increment;
}

/** Makes `index` (below `range.base`) addressable, with headroom below it for more to come. */
function growLeft(range: BucketRange, index: number): void {
  const base = index - ((range.end - index + 1) >> 1);
  const old = range.counts;
  const counts = new Array<number>(range.base + old.length - base).fill(0);
  const shift = range.base - base;
  for (let i = 0; i < old.length; i++) counts[i + shift] = old[i] as number;
  range.base = base;
  range.counts = counts;
}

/**
 * Merges each `2^change` neighbouring buckets into one: bucket `i` becomes `i >> change` (the
 * index of the same values at a scale `change` lower). Reuses the array.
 */
export function downscale(range: BucketRange, change: number): void {
  if (change === 0) return;
  if (range.end < range.start) {
    range.base = 0;
    range.start = 0;
    range.end = -1;
    range.counts.length = 0;
    return;
  }
  const counts = range.counts;
  const start = range.start >> change;
  const end = range.end >> change;
  // Target slot j = ((index) >> change) - start never passes the source slot it reads from, so
  // the array is compacted in place, front to back.
  let out = -1;
  for (let index = range.start; index <= range.end; index++) {
    const value = counts[index - range.base] as number;
    const j = (index >> change) - start;
    if (j !== out) {
      out = j;
      counts[j] = value;
    } else {
      counts[j] = (counts[j] as number) + value;
    }
  }
  counts.length = end - start + 1;
  range.base = start;
  range.start = start;
  range.end = end;
}

/** The counts from `start` to `end`, as a new array. */
export function countsOf(range: BucketRange): number[] {
  if (range.end < range.start) return [];
  return range.counts.slice(range.start - range.base, range.end - range.base + 1);
}

/** A deep copy. */
export function copyRange(range: BucketRange): BucketRange {
  return { base: range.base, start: range.start, end: range.end, counts: range.counts.slice() };
}
