import { counterKind, gaugeKind, upDownCounterKind } from '@mvx-metrics/core/kinds';
import { ValueType } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import { latestOf } from '../exemplars/types.js';
import { nativeHistogram } from '../exposition/native-histogram.js';
import {
  braces,
  joinLabels,
  latestExemplarText,
  sampleValue,
} from '../exposition/openmetrics-text.js';
import { exemplarMessage, METRIC_TYPE } from '../exposition/protobuf-messages.js';
import { mergeExponentialHistograms } from './exponential-histogram-point.js';
import { histogramOpenMetrics, histogramProtobuf } from './histogram-openmetrics.js';
import { mergeHistograms } from './histogram-point.js';
import { gaugeOpenMetrics, gaugeProtobuf, numberMerge, sumData } from './number-point.js';
import type {
  ExportShape,
  MirroredExponentialHistogram,
  MirroredHistogram,
  MirroredValue,
} from './types.js';

// What differs per OpenTelemetry data shape, whichever core kind (or other producer) made the
// data: Prometheus names, OpenMetrics samples, and how two points of one series merge when
// relabelling makes them one. A core kind picks its shape in its adapter; two kinds may share one.

/** A monotonic cumulative Sum (a counter): Prometheus prints it with `_total`. */
export const monotonicSumShape: ExportShape<number> = {
  name: 'Sum (monotonic)',
  dataPointType: DataPointType.SUM,
  metricData: (descriptor) => sumData(descriptor, true),
  merge: numberMerge(counterKind),
  prometheusNaming: { total: true, ratio: false },
  prometheusSampleNames: (base) => [base.endsWith('_total') ? base : `${base}_total`],
  openMetrics: {
    type: 'counter',
    family: (name) => name.replace(/_total$/, ''),
    // One exemplar per sample: the latest the reservoir kept.
    samples: (family, labels, point) =>
      `${family}_total${braces(labels)} ${sampleValue(point.value as number)}${latestExemplarText(point.exemplars)}\n`,
  },
  protobuf: {
    type: METRIC_TYPE.COUNTER,
    family: (name) => (name.endsWith('_total') ? name : `${name}_total`),
    // One exemplar per counter, as in OpenMetrics: the latest.
    value: (point) => {
      const exemplar = exemplarMessage(latestOf(point.exemplars));
      const value = point.value as number;
      return { counter: exemplar === undefined ? { value } : { value, exemplar } };
    },
  },
};

/** A non-monotonic cumulative Sum (an up-down counter): Prometheus prints it as a gauge. */
export const sumShape: ExportShape<number> = {
  name: 'Sum (non-monotonic)',
  dataPointType: DataPointType.SUM,
  metricData: (descriptor) => sumData(descriptor, false),
  merge: numberMerge(upDownCounterKind),
  // Printed as a gauge, but a non-monotonic Sum: unit `1` adds nothing (the Collector's rule too).
  prometheusNaming: { total: false, ratio: false },
  prometheusSampleNames: (base) => [base],
  openMetrics: gaugeOpenMetrics,
  protobuf: gaugeProtobuf,
};

/** A Gauge: of two points of one series, the one added last wins. */
export const gaugeShape: ExportShape<number> = {
  name: 'Gauge',
  dataPointType: DataPointType.GAUGE,
  metricData: (descriptor) => ({
    descriptor: { ...descriptor, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.GAUGE,
    dataPoints: [],
  }),
  merge: numberMerge(gaugeKind),
  // A Gauge with unit `1` is a ratio (`_ratio`), as the Collector writes it.
  prometheusNaming: { total: false, ratio: true },
  prometheusSampleNames: (base) => [base],
  openMetrics: gaugeOpenMetrics,
  protobuf: gaugeProtobuf,
};

/** An explicit-bucket Histogram. */
export const histogramShape: ExportShape<MirroredHistogram> = {
  name: 'Histogram',
  dataPointType: DataPointType.HISTOGRAM,
  metricData: (descriptor) => ({
    descriptor: { ...descriptor, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: [],
  }),
  merge: mergeHistograms,
  prometheusNaming: { total: false, ratio: false },
  prometheusSampleNames: (base) => [base, `${base}_count`, `${base}_sum`, `${base}_bucket`],
  openMetrics: histogramOpenMetrics,
  protobuf: histogramProtobuf,
};

/**
 * A base-2 ExponentialHistogram. OpenTelemetry's Prometheus text serializer cannot print it: the
 * text formats get what Prometheus' own clients print for a native histogram there.
 */
export const exponentialHistogramShape: ExportShape<MirroredExponentialHistogram> = {
  name: 'ExponentialHistogram',
  dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
  metricData: (descriptor) => ({
    descriptor: { ...descriptor, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
    dataPoints: [],
  }),
  merge: mergeExponentialHistograms,
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
  // A native histogram (schema, zero bucket, spans and deltas); at a scale Prometheus cannot read
  // (below -4: a maxSize under 4), a classic histogram of its count and sum, as in the text.
  protobuf: {
    type: METRIC_TYPE.HISTOGRAM,
    family: (name) => name,
    value: (point) => {
      const value = point.value as MirroredExponentialHistogram;
      return {
        histogram: nativeHistogram(value) ?? { sampleCount: value.count, sampleSum: value.sum },
      };
    },
  },
};

/** Every OpenTelemetry data shape the bridge exports and reads, one entry each. */
export const EXPORT_SHAPES: readonly ExportShape[] = [
  monotonicSumShape,
  sumShape,
  gaugeShape,
  histogramShape,
  exponentialHistogramShape,
] as readonly ExportShape[];

/**
 * The key of a shape in OpenTelemetry data: the point type, and for a Sum whether it is
 * monotonic (the two print differently). The one place data is told apart by its shape.
 */
export function shapeKey(data: MetricData): string {
  return data.dataPointType === DataPointType.SUM
    ? `${data.dataPointType}:${data.isMonotonic ? 'monotonic' : 'non-monotonic'}`
    : String(data.dataPointType);
}

const PROBE = { name: 'probe', unit: '', description: '' };
const BY_SHAPE: ReadonlyMap<string, ExportShape> = new Map(
  EXPORT_SHAPES.map((shape) => [shapeKey(shape.metricData(PROBE)), shape]),
);

/** The shape of OpenTelemetry metric data (any producer's); `undefined` for one the bridge does not export. */
export function shapeOf(data: MetricData): ExportShape | undefined {
  return BY_SHAPE.get(shapeKey(data));
}

/** The fields of a kind adapter that are its export shape's: spread into the adapter. */
export function exportedAs<V extends MirroredValue>(shape: ExportShape<V>) {
  return {
    shape,
    dataPointType: shape.dataPointType,
    metricData: shape.metricData,
    matches: (data: MetricData): boolean => shapeOf(data) === (shape as ExportShape),
    prometheusNaming: shape.prometheusNaming,
    prometheusSampleNames: shape.prometheusSampleNames,
    openMetrics: shape.openMetrics,
    protobuf: shape.protobuf,
    ...(shape.prometheusText === undefined ? {} : { prometheusText: shape.prometheusText }),
  };
}
