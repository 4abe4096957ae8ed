// One test fixture per built-in metric kind: how a test builds a metric of the kind. Tests that
// must cover every kind (the bridge's adapters, the mirror, the exported output) take their kind
// list from core's registry, KIND_DEFINITIONS, and build each metric through here, so a kind added
// to the registry is tested everywhere at once, and a kind without a fixture fails those tests.
import {
  counter,
  exponentialHistogram,
  gauge,
  histogram,
  type Metric,
  type MetricKind,
  type MetricOptions,
  upDownCounter,
} from '@mvx-metrics/core';
import { KIND_DEFINITIONS } from '@mvx-metrics/core/kinds';

/** How tests build a metric of one kind. */
export interface KindFixture {
  /**
   * A metric of the kind from options every kind takes. `value` may return any finite number
   * (absent: 1): the fixture maps it into what the kind accepts (counter and histogram take its
   * absolute value). A histogram gets the buckets `[1, 10, 100]` unless `buckets` is given.
   */
  metric<E extends object>(options: MetricOptions<E> & { buckets?: number[] }): Metric;
}

/** `value`, made non-negative for kinds that refuse negative values. */
function nonNegative<E>(value: ((event: E) => number) | undefined): (event: E) => number {
  return value === undefined ? () => 1 : (event) => Math.abs(value(event));
}

/** Keyed by kind: the compiler asks for a fixture for every `MetricKind`. */
export const KIND_FIXTURES: { readonly [K in MetricKind]: KindFixture } = {
  counter: { metric: (options) => counter({ ...options, value: nonNegative(options.value) }) },
  upDownCounter: { metric: (options) => upDownCounter(options) },
  gauge: { metric: (options) => gauge({ ...options, value: options.value ?? (() => 1) }) },
  histogram: {
    metric: (options) =>
      histogram({ buckets: [1, 10, 100], ...options, value: nonNegative(options.value) }),
  },
  // Every finite value, negatives and zero included, as the kind takes them.
  exponentialHistogram: {
    metric: (options) => exponentialHistogram({ ...options, value: options.value ?? (() => 1) }),
  },
};

/** The fixture of `kind`; throws, naming the kind, when there is none. */
export function kindFixture(kind: string): KindFixture {
  const fixture = Object.hasOwn(KIND_FIXTURES, kind)
    ? KIND_FIXTURES[kind as MetricKind]
    : undefined;
  if (fixture === undefined) {
    throw new Error(
      `The metric kind "${kind}" is in core's KIND_DEFINITIONS but has no test fixture: add one to test/support/kind-fixtures.ts.`,
    );
  }
  return fixture;
}

/** Every registered kind, in registry order. */
export const REGISTERED_KINDS: readonly MetricKind[] = KIND_DEFINITIONS.map((d) => d.kind);

/**
 * One metric of every registered kind, built by its fixture from `options(kind)`: what a test
 * that covers every kind iterates.
 */
export function metricOfEveryKind<E extends object>(
  options: (kind: MetricKind) => MetricOptions<E> & { buckets?: number[] },
): Metric[] {
  return REGISTERED_KINDS.map((kind) => kindFixture(kind).metric(options(kind)));
}
