export { attributesEqual, attributesMatch, findPoint, findSnapshot } from './find.js';
export type {
  Attributes,
  AttributeValue,
  ExponentialBuckets,
  ExponentialHistogramPoint,
  HistogramPoint,
  KindPoints,
  MetricKind,
  MetricSnapshot,
  NumberPoint,
  SnapshotPoint,
} from './types.js';
