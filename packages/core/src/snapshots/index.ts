export { attributesMatch, findPoint, findSnapshot } from './find.js';
export type {
  Attributes,
  AttributeValue,
  ExponentialBuckets,
  ExponentialHistogramPoint,
  HistogramPoint,
  MetricKind,
  MetricSnapshot,
  NumberPoint,
  SnapshotPoint,
} from './types.js';
