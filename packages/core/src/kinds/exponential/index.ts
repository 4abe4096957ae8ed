export type {
  ExponentialBuckets,
  ExponentialLimits,
  ExponentialState,
  ExponentialValue,
} from './aggregation.js';
export { copyState, createState, downscaleValue, merge, record, toValue } from './aggregation.js';
export {
  lowerBoundary,
  MAX_SCALE,
  MIN_NORMAL_VALUE,
  MIN_SCALE,
  mapToIndex,
  maxIndex,
  minIndex,
} from './mapping.js';
