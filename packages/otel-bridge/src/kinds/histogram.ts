import type { HistogramPoint } from '@mvx-metrics/core';
import { histogramKind } from '@mvx-metrics/core/kinds';
import { ValueType } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import {
  histogramOpenMetrics,
  histogramProtobuf,
  histogramReservoir,
} from './histogram-openmetrics.js';
import type { KindAdapter, MirroredHistogram } from './types.js';

// The mirror's point state needs no attributes: the exported point keeps its own.
const NO_ATTRIBUTES = Object.freeze({});

/** `histogram`: explicit-bucket Histogram data; on the instruments path a sync `Histogram`. */
export const histogramAdapter: KindAdapter<MirroredHistogram, 'histogram'> = {
  kind: 'histogram',
  definition: histogramKind,
  dataPointType: DataPointType.HISTOGRAM,
  fromSnapshot: histogramValue,
  metricData: (descriptor) => ({
    descriptor: { ...descriptor, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: [],
  }),
  matches: (data: MetricData) => data.dataPointType === DataPointType.HISTOGRAM,
  // Core's point, in which min/max are 0 while empty.
  begin: (value): HistogramPoint => ({
    attributes: NO_ATTRIBUTES,
    count: value.count,
    sum: value.sum,
    min: value.min ?? 0,
    max: value.max ?? 0,
    boundaries: value.buckets.boundaries,
    bucketCounts: [...value.buckets.counts],
  }),
  end: (running) => {
    const value: MirroredHistogram = {
      buckets: { boundaries: running.boundaries, counts: running.bucketCounts },
      count: running.count,
      sum: running.sum,
    };
    if (running.count > 0) {
      value.min = running.min;
      value.max = running.max;
    }
    return value;
  },
  merge: mergeHistogram,
  instrument: {
    mode: 'recorded',
    create: (meter, name, { unit, description, boundaries }) =>
      meter.createHistogram(name, {
        unit,
        description,
        ...(boundaries === undefined
          ? {}
          : { advice: { explicitBucketBoundaries: [...boundaries] } }),
      }),
  },
  prometheusNaming: { total: false, ratio: false },
  prometheusSampleNames: (base) => [base, `${base}_count`, `${base}_sum`, `${base}_bucket`],
  openMetrics: histogramOpenMetrics,
  protobuf: histogramProtobuf,
  exemplarReservoir: histogramReservoir,
};

function histogramValue(point: unknown): MirroredHistogram | undefined {
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
 * Two histograms of one attribute set, as a new value (neither input is changed): counts, sums
 * and buckets add up, min/max are the extremes. `undefined` when the bucket boundaries differ or
 * the sum would leave the finite range (core refuses that for a single point too).
 */
function mergeHistogram(
  into: MirroredHistogram,
  added: MirroredHistogram,
): MirroredHistogram | undefined {
  const a = into.buckets;
  const b = added.buckets;
  if (!sameBoundaries(a.boundaries, b.boundaries)) return undefined;
  if (!Number.isFinite(into.sum + added.sum)) return undefined;
  const counts = a.counts.map((count, i) => count + (b.counts[i] ?? 0));
  const merged: MirroredHistogram = {
    buckets: { boundaries: a.boundaries, counts },
    count: into.count + added.count,
    sum: into.sum + added.sum,
  };
  const min = extreme(into.min, added.min, Math.min);
  const max = extreme(into.max, added.max, Math.max);
  if (min !== undefined) merged.min = min;
  if (max !== undefined) merged.max = max;
  return merged;
}

function sameBoundaries(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function extreme(
  a: number | undefined,
  b: number | undefined,
  pick: (x: number, y: number) => number,
): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return pick(a, b);
}
