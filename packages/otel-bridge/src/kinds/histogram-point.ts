import type { Attributes, HistogramPoint } from '@mvx-metrics/core';
import { histogramKind } from '@mvx-metrics/core/kinds';
import type { MirroredHistogram } from './types.js';

// The point state the bridge hands core needs no attributes: the exported point keeps its own.
const NO_ATTRIBUTES: Attributes = Object.freeze({}) as Attributes;

/** A core histogram point's value in the shape of sdk-metrics' `Histogram`; `undefined` when malformed. */
export function histogramValue(point: unknown): MirroredHistogram | undefined {
  const p = point as Partial<Record<string, unknown>> | null;
  if (p === null || typeof p !== 'object') return undefined;
  const { count, sum, min, max, boundaries, bucketCounts } = p;
  if (
    typeof count !== 'number' ||
    typeof sum !== 'number' ||
    !Number.isFinite(count) ||
    !Number.isFinite(sum) ||
    !Array.isArray(boundaries) ||
    !Array.isArray(bucketCounts) ||
    bucketCounts.length !== boundaries.length + 1
  ) {
    return undefined;
  }
  const value: MirroredHistogram = {
    buckets: { boundaries: boundaries as number[], counts: bucketCounts as number[] },
    count,
    sum,
  };
  if (count > 0 && typeof min === 'number') value.min = min;
  if (count > 0 && typeof max === 'number') value.max = max;
  return value;
}

/**
 * An exported histogram as core's point state (min/max 0 while empty), for core's `apply`; its
 * bucket counts are copied, so applying never changes the exported value.
 */
export function histogramState(value: MirroredHistogram): HistogramPoint {
  return {
    attributes: NO_ATTRIBUTES,
    count: value.count,
    sum: value.sum,
    min: value.min ?? 0,
    max: value.max ?? 0,
    boundaries: value.buckets.boundaries,
    bucketCounts: [...value.buckets.counts],
  };
}

/** Core's point state as an exported histogram: min/max only once something was observed. */
export function exportedHistogram(state: HistogramPoint): MirroredHistogram {
  const value: MirroredHistogram = {
    buckets: { boundaries: state.boundaries, counts: state.bucketCounts },
    count: state.count,
    sum: state.sum,
  };
  if (state.count > 0 && Number.isFinite(state.min)) value.min = state.min;
  if (state.count > 0 && Number.isFinite(state.max)) value.max = state.max;
  return value;
}

/**
 * Two histograms of one attribute set, by core's rule, as a new value (neither input changes):
 * counts, sums and buckets add up, min/max are the extremes. `undefined` when the boundaries
 * differ or the sum would leave the finite range. Any producer's data merges here: a point with
 * a count but no min/max (recording them is optional in OpenTelemetry) leaves the other's.
 */
export function mergeHistograms(
  into: MirroredHistogram,
  added: MirroredHistogram,
): MirroredHistogram | undefined {
  const merged = histogramKind.merge(mergeState(into), mergeState(added));
  return merged === undefined ? undefined : exportedHistogram(merged);
}

// Without copying (merge changes neither input); an absent min/max is the neutral extreme.
function mergeState(value: MirroredHistogram): HistogramPoint {
  return {
    attributes: NO_ATTRIBUTES,
    count: value.count,
    sum: value.sum,
    min: value.min ?? Number.POSITIVE_INFINITY,
    max: value.max ?? Number.NEGATIVE_INFINITY,
    boundaries: value.buckets.boundaries,
    bucketCounts: value.buckets.counts,
  };
}
