export { normalizeAttributes, normalizeAttributeValue } from '../internal/attributes.js';
export { describeMetric } from './describe.js';
export { exponentialHistogram } from './exponential-histogram.js';
export { bucketIndex, DEFAULT_BUCKETS, DEFAULT_SECONDS_BUCKETS, histogram } from './histogram.js';
export { assertValidMetricName, isValidMetricName } from './name.js';
export { counter, gauge, upDownCounter } from './number-metrics.js';
export type {
  AnyEvent,
  ExponentialHistogramOptions,
  HistogramOptions,
  Metric,
  MetricDescriptor,
  MetricHost,
  MetricOptions,
  MetricUpdate,
} from './types.js';
