import type { ExponentialHistogramPoint } from '@mvx-metrics/core';
import {
  exponentialHistogramKind,
  exponentialLimitsOf,
  withExponentialLimits,
} from '@mvx-metrics/core/kinds';
import type { MirroredExponentialHistogram } from './types.js';

// The point state the bridge hands core needs no attributes: the exported point keeps its own.
const NO_ATTRIBUTES = Object.freeze({});

/**
 * Two exponential histograms of one attribute set, by core's rule, as a new value (neither input
 * changes); `undefined` when core cannot merge them.
 */
export function mergeExponentialHistograms(
  into: MirroredExponentialHistogram,
  added: MirroredExponentialHistogram,
): MirroredExponentialHistogram | undefined {
  const merged = exponentialHistogramKind.merge(asPoint(into), asPoint(added));
  return merged === undefined ? undefined : exportedValue(merged);
}

/** Core's point state for an exported value (copied: exported values are never mutated). */
export function asPoint(value: MirroredExponentialHistogram): ExponentialHistogramPoint {
  return withExponentialLimits(
    {
      attributes: NO_ATTRIBUTES,
      count: value.count,
      sum: value.sum ?? 0,
      min: value.min ?? 0,
      max: value.max ?? 0,
      scale: value.scale,
      zeroCount: value.zeroCount,
      positive: { offset: value.positive.offset, bucketCounts: [...value.positive.bucketCounts] },
      negative: { offset: value.negative.offset, bucketCounts: [...value.negative.bucketCounts] },
    },
    exponentialLimitsOf(value),
  );
}

/** The exported value of a point state: min/max absent while empty, the limits carried along. */
export function exportedValue(point: ExponentialHistogramPoint): MirroredExponentialHistogram {
  const value: MirroredExponentialHistogram = {
    count: point.count,
    sum: point.sum,
    scale: point.scale,
    zeroCount: point.zeroCount,
    positive: { offset: point.positive.offset, bucketCounts: [...point.positive.bucketCounts] },
    negative: { offset: point.negative.offset, bucketCounts: [...point.negative.bucketCounts] },
  };
  if (point.count > 0) {
    value.min = point.min;
    value.max = point.max;
  }
  return withExponentialLimits(value, exponentialLimitsOf(point));
}

/** A snapshot point's value, or `undefined` for a malformed one (a hand-written metric's). */
export function exponentialValue(point: unknown): MirroredExponentialHistogram | undefined {
  const p = point as Partial<Record<string, unknown>> | null;
  if (p === null || typeof p !== 'object') return undefined;
  const { count, sum, min, max, scale, zeroCount, positive, negative } = p;
  if (
    !isCount(count) ||
    !isCount(zeroCount) ||
    typeof sum !== 'number' ||
    !Number.isFinite(sum) ||
    typeof scale !== 'number' ||
    !Number.isInteger(scale) ||
    !isBuckets(positive) ||
    !isBuckets(negative)
  ) {
    return undefined;
  }
  return exportedValue(
    withExponentialLimits(
      {
        attributes: NO_ATTRIBUTES,
        count,
        sum,
        min: typeof min === 'number' ? min : 0,
        max: typeof max === 'number' ? max : 0,
        scale,
        zeroCount,
        positive,
        negative,
      },
      exponentialLimitsOf(p),
    ),
  );
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isBuckets(value: unknown): value is { offset: number; bucketCounts: number[] } {
  if (value === null || typeof value !== 'object') return false;
  const { offset, bucketCounts } = value as Partial<Record<string, unknown>>;
  return Number.isInteger(offset) && Array.isArray(bucketCounts) && bucketCounts.every(isCount);
}
