export { attributesMatch, findPoint, findSnapshot } from './find.js';
export type {
  Attributes,
  AttributeValue,
  HistogramPoint,
  KindPoints,
  MetricKind,
  MetricSnapshot,
  NumberPoint,
  SnapshotPoint,
} from './types.js';
