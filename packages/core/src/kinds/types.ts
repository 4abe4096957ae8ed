import type { Attributes, KindPoints, MetricKind } from '../snapshots/types.js';

/** Why a value must not reach a point: the error code and the reason, for the dropped-value report. */
export type ValueProblem = readonly ['invalid-value' | 'negative-increment', string];

/** What a kind reads from a metric's checked options at definition (histogram: unit and buckets). */
export interface KindOptions {
  /** The metric's name, for a wiring error's message. */
  readonly name: string;
  /** UCUM unit (a histogram in `s` defaults to seconds buckets). */
  readonly unit: string | undefined;
  /** Histograms: the `buckets` option as given. */
  readonly buckets: unknown;
  /** Exponential histograms: the `maxSize` option as given. */
  readonly maxSize?: unknown;
  /** Exponential histograms: the `maxScale` option as given. */
  readonly maxScale?: unknown;
}

/** What a kind adds to the metric's descriptor (histogram: the bucket boundaries). */
export interface KindDescription {
  /** Histograms: the explicit bucket upper bounds. */
  boundaries?: readonly number[];
  /** Exponential histograms: most buckets per sign. */
  maxSize?: number;
  /** Exponential histograms: the scale recording starts at. */
  maxScale?: number;
}

/**
 * Everything core knows about one metric kind, in one object: its point state, how a point is
 * created, which values it takes, how a value is applied, how two points of one attribute set
 * merge and how a point is copied out. The core metric of the kind and the bridge's mirror of it
 * both use it, so a kind's update rule exists once.
 *
 * `P` is the point state, `C` what the metric keeps from its options (histogram: the boundaries).
 * Definitions hold no per-metric state: one object per kind, shared by every metric of it.
 *
 * @example
 * const point = histogramKind.createPoint({}, histogramKind.configure({ name: 'h', unit: 's', buckets: undefined }));
 * histogramKind.apply(point, 0.2); // true: point.count is 1
 */
export interface KindDefinition<
  K extends MetricKind = MetricKind,
  P extends KindPoints[K] = KindPoints[K],
  C = unknown,
> {
  /** The kind's name, as descriptors and snapshots carry it. */
  readonly kind: K;
  /** Whether the metric's options must give `value` (a counter's default increment is 1). */
  readonly requiresValue: boolean;
  /** What a non-finite result would break, as the dropped-value report names it (`sum`, `value`). */
  readonly accumulates: string;
  /** What the metric keeps from its options; throws a `MetricsWiringError` on a bad one. Wiring time. */
  configure(options: KindOptions): C;
  /** The descriptor's fields beyond name, kind, unit and description. */
  describe(config: C): KindDescription;
  /** A new point at zero. */
  createPoint(attributes: Attributes, config: C): P;
  /** Why `value` (a user's `value(event)` result) must be dropped, or `undefined` to apply it. */
  checkValue(value: unknown): ValueProblem | undefined;
  /**
   * Applies a checked value to `point`. `false`, and the point unchanged, when the result would
   * not be finite (such a value is dropped and counted).
   */
  apply(point: P, value: number): boolean;
  /**
   * Two points of one attribute set as one new point with `into`'s attributes (neither input
   * changes); `undefined` when they cannot merge (other boundaries, a non-finite total).
   */
  merge(into: P, added: P): P | undefined;
  /** A deep copy that shares nothing with the state (snapshots are immutable copies). */
  copyPoint(point: P): P;
}

/** A definition of any built-in kind, as the runtime registry lists them. */
export type AnyKindDefinition = {
  [K in MetricKind]: KindDefinition<K, KindPoints[K], unknown>;
}[MetricKind];
