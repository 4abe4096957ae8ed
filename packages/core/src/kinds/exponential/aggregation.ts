// OpenTelemetry's base-2 exponential histogram aggregation (data model "ExponentialHistogram",
// SDK spec "Base2 Exponential Bucket Histogram Aggregation"): a value lands in the bucket
// `mapToIndex(|value|, scale)` of its sign, zeros in `zeroCount`; when a new bucket would make a
// sign span `maxSize` buckets or more, the scale drops by the least that makes it fit, for both
// signs at once. Recording the same values in the same order gives what sdk-metrics' aggregator
// gives (test/core/exponential-reference.property.test.ts holds that).

import {
  addAt,
  type BucketRange,
  copyRange,
  countsOf,
  downscale,
  emptyRange,
  isEmpty,
} from './bucket-range.js';
import { mapToIndex } from './mapping.js';

/** The size and resolution limits of one exponential histogram. */
export interface ExponentialLimits {
  /** Most buckets per sign (>= 2). */
  readonly maxSize: number;
  /** The scale a histogram starts at (MIN_SCALE..MAX_SCALE). */
  readonly maxScale: number;
}

/** The aggregation state of one point. */
export interface ExponentialState {
  count: number;
  sum: number;
  /** 0 while `count` is 0. */
  min: number;
  /** 0 while `count` is 0. */
  max: number;
  zeroCount: number;
  /** The current scale; `limits.maxScale` until a non-zero value sets it lower. */
  scale: number;
  positive: BucketRange;
  /** Negative values by magnitude. */
  negative: BucketRange;
}

/** Buckets of one sign as OpenTelemetry exports them: `bucketCounts[i]` is bucket `offset + i`. */
export interface ExponentialBuckets {
  offset: number;
  bucketCounts: number[];
}

/** The value of an exponential histogram point, in the shape of OpenTelemetry's. */
export interface ExponentialValue {
  count: number;
  sum: number;
  min: number;
  max: number;
  /** 0 while the histogram holds no non-zero value (as sdk-metrics reports it). */
  scale: number;
  zeroCount: number;
  positive: ExponentialBuckets;
  negative: ExponentialBuckets;
}

/** A state holding nothing. */
export function createState(limits: ExponentialLimits): ExponentialState {
  return {
    count: 0,
    sum: 0,
    min: 0,
    max: 0,
    zeroCount: 0,
    scale: limits.maxScale,
    positive: emptyRange(),
    negative: emptyRange(),
  };
}

/**
 * Records the finite `value` (the caller refuses NaN and ±Infinity). Returns `false`, state
 * untouched, when the sum would overflow to a non-finite number.
 */
export function record(state: ExponentialState, value: number, limits: ExponentialLimits): boolean {
  const sum = state.sum + value;
  if (sum === Number.POSITIVE_INFINITY || sum === Number.NEGATIVE_INFINITY) return false;
  if (state.count === 0 || value < state.min) state.min = value;
  if (state.count === 0 || value > state.max) state.max = value;
  state.count++;
  if (value === 0) {
    state.zeroCount++;
    return true;
  }
  state.sum = sum;
  if (value > 0) recordMagnitude(state, state.positive, value, limits.maxSize);
  else recordMagnitude(state, state.negative, -value, limits.maxSize);
  return true;
}

function recordMagnitude(
  state: ExponentialState,
  range: BucketRange,
  magnitude: number,
  maxSize: number,
): void {
  let index = mapToIndex(magnitude, state.scale);
  if (range.end >= range.start) {
    let change = 0;
    if (index < range.start) {
      if (range.end - index >= maxSize) change = scaleChange(index, range.end, maxSize);
    } else if (index > range.end) {
      if (index - range.start >= maxSize) change = scaleChange(range.start, index, maxSize);
    }
    if (change > 0) {
      downscaleBoth(state, change);
      index = mapToIndex(magnitude, state.scale);
    }
  }
  addAt(range, index, 1);
}

/** How far the scale must drop for indexes `low..high` to span fewer than `maxSize` buckets. */
function scaleChange(low: number, high: number, maxSize: number): number {
  let change = 0;
  while (high - low >= maxSize) {
    high >>= 1;
    low >>= 1;
    change++;
  }
  return change;
}

function downscaleBoth(state: ExponentialState, change: number): void {
  downscale(state.positive, change);
  downscale(state.negative, change);
  state.scale -= change;
}

/**
 * Adds `source` into `target`: counts, sum, min and max, and the buckets at the highest scale at
 * which both fit `limits.maxSize`. A histogram without non-zero values constrains no scale.
 * Returns `false`, target untouched, when the sum would overflow to a non-finite number.
 */
export function merge(
  target: ExponentialState,
  source: ExponentialState,
  limits: ExponentialLimits,
): boolean {
  if (source.count === 0) return true;
  const sum = target.sum + source.sum;
  if (sum === Number.POSITIVE_INFINITY || sum === Number.NEGATIVE_INFINITY) return false;
  if (target.count === 0 || source.min < target.min) target.min = source.min;
  if (target.count === 0 || source.max > target.max) target.max = source.max;
  target.count += source.count;
  target.zeroCount += source.zeroCount;
  target.sum = sum;
  const sourceEmpty = isEmpty(source.positive) && isEmpty(source.negative);
  if (sourceEmpty) return true;
  if (isEmpty(target.positive) && isEmpty(target.negative)) {
    target.scale = source.scale;
    target.positive = copyRange(source.positive);
    target.negative = copyRange(source.negative);
    if (target.scale > limits.maxScale) downscaleBoth(target, target.scale - limits.maxScale);
    fit(target, limits.maxSize);
    return true;
  }
  let scale = Math.min(target.scale, source.scale, limits.maxScale);
  scale -= Math.max(
    mergedChange(target.positive, target.scale, source.positive, source.scale, scale, limits),
    mergedChange(target.negative, target.scale, source.negative, source.scale, scale, limits),
  );
  downscaleBoth(target, target.scale - scale);
  addShifted(target.positive, source.positive, source.scale - scale);
  addShifted(target.negative, source.negative, source.scale - scale);
  return true;
}

/** The scale change below `scale` that makes both ranges, together, fit `maxSize`. */
function mergedChange(
  a: BucketRange,
  aScale: number,
  b: BucketRange,
  bScale: number,
  scale: number,
  limits: ExponentialLimits,
): number {
  const aEmpty = isEmpty(a);
  const bEmpty = isEmpty(b);
  if (aEmpty && bEmpty) return 0;
  const aShift = aScale - scale;
  const bShift = bScale - scale;
  const low = aEmpty
    ? b.start >> bShift
    : bEmpty
      ? a.start >> aShift
      : Math.min(a.start >> aShift, b.start >> bShift);
  const high = aEmpty
    ? b.end >> bShift
    : bEmpty
      ? a.end >> aShift
      : Math.max(a.end >> aShift, b.end >> bShift);
  return scaleChange(low, high, limits.maxSize);
}

function addShifted(target: BucketRange, source: BucketRange, shift: number): void {
  for (let index = source.start; index <= source.end; index++) {
    const count = source.counts[index - source.base] as number;
    if (count !== 0) addAt(target, index >> shift, count);
  }
}

/** Lowers the scale of a state whose ranges span more than `maxSize` buckets until they fit. */
function fit(state: ExponentialState, maxSize: number): void {
  const change = Math.max(
    isEmpty(state.positive) ? 0 : scaleChange(state.positive.start, state.positive.end, maxSize),
    isEmpty(state.negative) ? 0 : scaleChange(state.negative.start, state.negative.end, maxSize),
  );
  if (change > 0) downscaleBoth(state, change);
}

/** A deep copy of `state`. */
export function copyState(state: ExponentialState): ExponentialState {
  return {
    count: state.count,
    sum: state.sum,
    min: state.min,
    max: state.max,
    zeroCount: state.zeroCount,
    scale: state.scale,
    positive: copyRange(state.positive),
    negative: copyRange(state.negative),
  };
}

/** The state as OpenTelemetry's point value reads it (new arrays; the state is not shared). */
export function toValue(state: ExponentialState): ExponentialValue {
  const populated = !isEmpty(state.positive) || !isEmpty(state.negative);
  return {
    count: state.count,
    sum: state.sum,
    min: state.min,
    max: state.max,
    scale: populated ? state.scale : 0,
    zeroCount: state.zeroCount,
    positive: bucketsOf(state.positive),
    negative: bucketsOf(state.negative),
  };
}

function bucketsOf(range: BucketRange): ExponentialBuckets {
  return isEmpty(range)
    ? { offset: 0, bucketCounts: [] }
    : { offset: range.start, bucketCounts: countsOf(range) };
}

/**
 * `value` at the lower `scale` (each 2^(value.scale - scale) neighbouring buckets merged), or
 * `value` itself when its scale is not above `scale`. For a consumer with a narrower scale range
 * than OpenTelemetry's: Prometheus native histograms take schemas up to 8.
 */
export function downscaleValue(value: ExponentialValue, scale: number): ExponentialValue {
  const change = value.scale - scale;
  if (change <= 0) return value;
  return {
    ...value,
    scale,
    positive: downscaleBuckets(value.positive, change),
    negative: downscaleBuckets(value.negative, change),
  };
}

function downscaleBuckets(buckets: ExponentialBuckets, change: number): ExponentialBuckets {
  const counts = buckets.bucketCounts;
  if (counts.length === 0) return { offset: 0, bucketCounts: [] };
  const offset = buckets.offset >> change;
  const merged = new Array<number>(
    ((buckets.offset + counts.length - 1) >> change) - offset + 1,
  ).fill(0);
  for (let i = 0; i < counts.length; i++) {
    const at = ((buckets.offset + i) >> change) - offset;
    merged[at] = (merged[at] as number) + (counts[i] as number);
  }
  return { offset, bucketCounts: merged };
}
