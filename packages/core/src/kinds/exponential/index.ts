export type { ExponentialLimits, ExponentialState } from './aggregation.js';
export { copyState, downscaleValue, emptyState, mergeInto, record } from './aggregation.js';
export type { ExponentialBuckets } from './buckets.js';
export {
  lowerBoundary,
  MAX_SCALE,
  MIN_NORMAL_VALUE,
  MIN_SCALE,
  mapToIndex,
  maxIndex,
  minIndex,
} from './mapping.js';
