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
   * A metric of the kind from options every kind takes, adding only what the kind requires:
   * `value` (absent: 1) for kinds that need one, the buckets `[1, 10, 100]` for a histogram unless
   * `buckets` is given. Values reach the kind as `value` returns them (bad ones are refused).
   */
  metric<E extends object>(options: MetricOptions<E> & { buckets?: number[] }): Metric;
  /** Any finite number mapped to one the kind accepts (counter, histogram: its absolute value). */
  accepted(value: number): number;
}

const asIs = (value: number) => value;

/** Keyed by kind: the compiler asks for a fixture for every `MetricKind`. */
export const KIND_FIXTURES: { readonly [K in MetricKind]: KindFixture } = {
  counter: { metric: (options) => counter(options), accepted: Math.abs },
  upDownCounter: { metric: (options) => upDownCounter(options), accepted: asIs },
  gauge: {
    metric: (options) => gauge({ ...options, value: options.value ?? (() => 1) }),
    accepted: asIs,
  },
  histogram: {
    metric: (options) =>
      histogram({ buckets: [1, 10, 100], ...options, value: options.value ?? (() => 1) }),
    accepted: Math.abs,
  },
  // Every finite value, negatives and zero included, as the kind takes them.
  exponentialHistogram: {
    metric: (options) => exponentialHistogram({ ...options, value: options.value ?? (() => 1) }),
    accepted: asIs,
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
 * One metric of every registered kind, built by its fixture from `options(kind, fixture)`: what a
 * test that covers every kind iterates.
 */
export function metricOfEveryKind<E extends object>(
  options: (kind: MetricKind, fixture: KindFixture) => MetricOptions<E> & { buckets?: number[] },
): Metric[] {
  return REGISTERED_KINDS.map((kind) => {
    const fixture = kindFixture(kind);
    return fixture.metric(options(kind, fixture));
  });
}
