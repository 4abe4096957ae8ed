import type { KindPoints, MetricKind } from '../snapshots/types.js';
import { counterKind } from './counter.js';
import { exponentialHistogramKind } from './exponential-histogram.js';
import { gaugeKind } from './gauge.js';
import { histogramKind } from './histogram.js';
import type { AnyKindDefinition, KindDefinition } from './types.js';
import { upDownCounterKind } from './up-down-counter.js';

export type { KindPoints, MetricKind } from '../snapshots/types.js';
export { counterKind } from './counter.js';
export type { ExponentialLimits } from './exponential-histogram.js';
export {
  DEFAULT_MAX_SCALE,
  DEFAULT_MAX_SIZE,
  exponentialHistogramKind,
  exponentialLimitsOf,
  MAX_MAX_SIZE,
  withExponentialLimits,
} from './exponential-histogram.js';
export { gaugeKind } from './gauge.js';
export {
  bucketIndex,
  DEFAULT_BUCKETS,
  DEFAULT_SECONDS_BUCKETS,
  histogramKind,
} from './histogram.js';
export type {
  AnyKindDefinition,
  KindDefinition,
  KindDescription,
  KindOptions,
  ValueProblem,
} from './types.js';
export { upDownCounterKind } from './up-down-counter.js';

// Keyed by kind: the compiler refuses a `MetricKind` without a definition, a definition of a kind
// `MetricKind` does not name, and a definition filed under another kind's name.
const BY_KIND: { readonly [K in MetricKind]: KindDefinition<K, KindPoints[K]> & { kind: K } } = {
  counter: counterKind,
  upDownCounter: upDownCounterKind,
  gauge: gaugeKind,
  histogram: histogramKind,
  exponentialHistogram: exponentialHistogramKind,
};

/**
 * Every built-in kind's definition, at run time: what tests iterate to prove each kind has every
 * piece (a bridge adapter, a test fixture), and what a bridge reads to know the kinds core has.
 */
export const KIND_DEFINITIONS: readonly AnyKindDefinition[] = Object.freeze(
  // Shared by every metric of the kind: frozen, so no caller can change what a kind means.
  (Object.values(BY_KIND) as AnyKindDefinition[]).map((definition) => Object.freeze(definition)),
);

/** The definition of a built-in kind. */
export function kindDefinition<K extends MetricKind>(kind: K): KindDefinition<K, KindPoints[K]> {
  return BY_KIND[kind] as KindDefinition<K, KindPoints[K]>;
}

/** The definition of `kind` when it is a built-in kind (a descriptor's `kind` may be any string). */
export function findKindDefinition(kind: unknown): AnyKindDefinition | undefined {
  return typeof kind === 'string' && Object.hasOwn(BY_KIND, kind)
    ? (BY_KIND[kind as MetricKind] as AnyKindDefinition)
    : undefined;
}
