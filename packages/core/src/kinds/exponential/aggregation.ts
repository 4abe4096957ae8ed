// OpenTelemetry's base-2 exponential histogram aggregation (data model "ExponentialHistogram",
// SDK spec "Base2 Exponential Bucket Histogram Aggregation"): a value lands in the bucket
// `mapToIndex(|value|, scale)` of its sign, zeros in `zeroCount`; when a new bucket would make a
// sign span `maxSize` buckets or more, the scale drops by the least that makes it fit, for both
// signs at once. Recording the same values in the same order gives what sdk-metrics' aggregator
// gives (test/core/exponential-reference.property.test.ts holds that), except for a value just
// off a power of two that sdk-metrics' logarithm puts across it, which core keeps in the bucket
// the data model gives (test/core/exponential-oracle.property.test.ts).

import {
  addAt,
  addShifted,
  copyBuckets,
  downscale,
  downscaled,
  type ExponentialBuckets,
  spanWith,
} from './buckets.js';
import { mapToIndex } from './mapping.js';

/** The size and resolution limits of one exponential histogram. */
export interface ExponentialLimits {
  /** Most buckets per sign (>= 2). */
  readonly maxSize: number;
  /** The scale the first non-zero value is recorded at (MIN_SCALE..MAX_SCALE). */
  readonly maxScale: number;
}

/** The state of one exponential histogram, in the shape of OpenTelemetry's point value. */
export interface ExponentialState {
  count: number;
  sum: number;
  /** 0 while `count` is 0. */
  min: number;
  /** 0 while `count` is 0. */
  max: number;
  /** 0 while no non-zero value is recorded (as sdk-metrics reports it). */
  scale: number;
  zeroCount: number;
  positive: ExponentialBuckets;
  /** Negative values by magnitude. */
  negative: ExponentialBuckets;
}

/** The fields of a state holding nothing. */
export function emptyState(): ExponentialState {
  return {
    count: 0,
    sum: 0,
    min: 0,
    max: 0,
    scale: 0,
    zeroCount: 0,
    positive: { offset: 0, bucketCounts: [] },
    negative: { offset: 0, bucketCounts: [] },
  };
}

function populated(state: ExponentialState): boolean {
  return state.positive.bucketCounts.length > 0 || state.negative.bucketCounts.length > 0;
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
  if (!populated(state)) state.scale = limits.maxScale;
  if (value > 0) recordMagnitude(state, state.positive, value, limits.maxSize);
  else recordMagnitude(state, state.negative, -value, limits.maxSize);
  return true;
}

function recordMagnitude(
  state: ExponentialState,
  buckets: ExponentialBuckets,
  magnitude: number,
  maxSize: number,
): void {
  let index = mapToIndex(magnitude, state.scale);
  const length = buckets.bucketCounts.length;
  if (length > 0) {
    const start = buckets.offset;
    const end = start + length - 1;
    let change = 0;
    if (index < start) {
      if (end - index >= maxSize) change = scaleChange(index, end, maxSize);
    } else if (index > end) {
      if (index - start >= maxSize) change = scaleChange(start, index, maxSize);
    }
    if (change > 0) {
      downscaleBoth(state, change);
      index = mapToIndex(magnitude, state.scale);
    }
  }
  addAt(buckets, index, 1);
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
 * Adds `source` into `target` (in place; `source` is not changed): counts, sum, min and max, and
 * the buckets at the highest scale (at most `limits.maxScale`) at which both fit `limits.maxSize`.
 * A histogram without non-zero values constrains no scale. Returns `false`, target untouched,
 * when the sum would overflow to a non-finite number.
 */
export function mergeInto(
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
  if (!populated(source)) return true;
  if (!populated(target)) {
    // As if the target had recorded the source's values: their buckets, within the limits.
    target.scale = source.scale;
    target.positive = copyBuckets(source.positive);
    target.negative = copyBuckets(source.negative);
    const over = Math.max(0, target.scale - limits.maxScale);
    const change =
      over +
      Math.max(
        mergedChange(target.positive, over, target.positive, over, limits.maxSize),
        mergedChange(target.negative, over, target.negative, over, limits.maxSize),
      );
    if (change > 0) downscaleBoth(target, change);
    return true;
  }
  const from = Math.min(target.scale, source.scale, limits.maxScale);
  const change = Math.max(
    mergedChange(
      target.positive,
      target.scale - from,
      source.positive,
      source.scale - from,
      limits.maxSize,
    ),
    mergedChange(
      target.negative,
      target.scale - from,
      source.negative,
      source.scale - from,
      limits.maxSize,
    ),
  );
  const scale = from - change;
  if (target.scale > scale) downscaleBoth(target, target.scale - scale);
  addShifted(target.positive, source.positive, source.scale - scale);
  addShifted(target.negative, source.negative, source.scale - scale);
  return true;
}

/** The scale change that makes two bucket ranges (each shifted to a common scale) fit together. */
function mergedChange(
  a: ExponentialBuckets,
  aShift: number,
  b: ExponentialBuckets,
  bShift: number,
  maxSize: number,
): number {
  const span = spanWith(a, aShift, b, bShift);
  return span === undefined ? 0 : scaleChange(span[0], span[1], maxSize);
}

/** A deep copy of `state`. */
export function copyState(state: ExponentialState): ExponentialState {
  return {
    count: state.count,
    sum: state.sum,
    min: state.min,
    max: state.max,
    scale: state.scale,
    zeroCount: state.zeroCount,
    positive: copyBuckets(state.positive),
    negative: copyBuckets(state.negative),
  };
}

/**
 * `state`'s fields at the lower `scale` (each 2^(state.scale - scale) neighbouring buckets
 * merged, new buckets), or `state` itself when its scale is not above `scale`. For a consumer
 * with a narrower scale range than OpenTelemetry's: Prometheus native histograms take schemas up
 * to 8.
 */
export function downscaleValue<S extends ExponentialState>(state: S, scale: number): S {
  const change = state.scale - scale;
  if (change <= 0) return state;
  return {
    ...state,
    scale,
    positive: downscaled(state.positive, change),
    negative: downscaled(state.negative, change),
  };
}
