import type { ExponentialHistogramPoint, MetricDescriptor } from '@mvx-metrics/core';
import {
  DEFAULT_MAX_SIZE,
  exponentialHistogramKind,
  exponentialLimitsOf,
  withExponentialLimits,
} from '@mvx-metrics/core/kinds';
import { diag, ValueType } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import { FixedSizeReservoir } from '../exemplars/reservoir.js';
import {
  braces,
  joinLabels,
  latestExemplarText,
  sampleValue,
} from '../exposition/openmetrics-text.js';
import type { KindAdapter, MirroredExponentialHistogram } from './types.js';

// The mirror's point state needs no attributes: the exported point keeps its own.
const NO_ATTRIBUTES = Object.freeze({});

/**
 * `exponentialHistogram`: OpenTelemetry ExponentialHistogram data, point for point core's state
 * (scale, zero count, offsets and bucket counts). On the instruments path a sync `Histogram`: the
 * user's MeterProvider decides its aggregation (a View selecting exponential aggregation makes it
 * an ExponentialHistogram; see docs/wiring-the-bridge.md).
 */
export const exponentialHistogramAdapter: KindAdapter<
  MirroredExponentialHistogram,
  'exponentialHistogram'
> = {
  kind: 'exponentialHistogram',
  definition: exponentialHistogramKind,
  dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
  fromSnapshot: exponentialValue,
  metricData: (descriptor) => ({
    descriptor: { ...descriptor, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
    dataPoints: [],
  }),
  matches: (data: MetricData) => data.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM,
  begin: (value) => asPoint(value),
  end: (running) => exportedValue(running),
  merge: (into, added) => {
    const merged = exponentialHistogramKind.merge(asPoint(into), asPoint(added));
    return merged === undefined ? undefined : exportedValue(merged);
  },
  instrument: {
    mode: 'recorded',
    create: (meter, name, { unit, description }) => {
      const histogram = meter.createHistogram(name, { unit, description });
      let warned = false;
      return {
        record: (value, attributes, context) => {
          if (value < 0) {
            // OpenTelemetry's Histogram instrument takes no negative value (it would warn on each).
            if (!warned) {
              warned = true;
              diag.warn(
                `otel-bridge: exponential histogram "${name}" recorded a negative value; OpenTelemetry's Histogram instrument refuses negative values, so on the instruments path they are not exported (the MetricProducer path exports them).`,
              );
            }
            return;
          }
          histogram.record(value, attributes, context);
        },
      };
    },
  },
  prometheusNaming: { total: false, ratio: false },
  prometheusSampleNames: (base) => [base, `${base}_count`, `${base}_sum`, `${base}_bucket`],
  openMetrics: {
    type: 'histogram',
    family: (name) => name,
    samples: (family, labels, point) => {
      const value = point.value as MirroredExponentialHistogram;
      // The buckets go out natively in the protobuf format only; the text formats carry what
      // Prometheus' own clients print for a native histogram there: the +Inf bucket, count and
      // sum. OpenMetrics allows a sum only for non-negative observations.
      let out = `${family}_bucket${braces(joinLabels(labels, 'le="+Inf"'))} ${value.count}${latestExemplarText(point.exemplars)}\n`;
      if (value.negative.bucketCounts.length === 0 && value.sum !== undefined) {
        out += `${family}_count${braces(labels)} ${value.count}\n`;
        out += `${family}_sum${braces(labels)} ${sampleValue(value.sum)}\n`;
      }
      return out;
    },
  },
  // What Prometheus' own clients print for a native histogram in the text format: a histogram
  // with the +Inf bucket only, its count and sum.
  prometheusText: (data) =>
    ({
      ...data,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: data.dataPoints.map((point) => {
        const value = point.value as MirroredExponentialHistogram;
        return {
          ...point,
          value: {
            count: value.count,
            sum: value.sum,
            buckets: { boundaries: [], counts: [value.count] },
          },
        };
      }),
    }) as MetricData,
  // OpenTelemetry's default for exponential histograms: a simple fixed-size reservoir of
  // min(20, maxSize) measurements.
  exemplarReservoir: (descriptor: MetricDescriptor) => {
    const size = Math.min(20, descriptor.maxSize ?? DEFAULT_MAX_SIZE);
    return () => new FixedSizeReservoir(size);
  },
};

/** Core's point state for an exported value (copied: exported values are never mutated). */
function asPoint(value: MirroredExponentialHistogram): ExponentialHistogramPoint {
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
function exportedValue(point: ExponentialHistogramPoint): MirroredExponentialHistogram {
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
function exponentialValue(point: unknown): MirroredExponentialHistogram | undefined {
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
