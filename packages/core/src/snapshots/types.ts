/** An attribute value as metrics store it (values are normalised to strings; see README). */
export type AttributeValue = string | number | boolean;
/** A set of attributes identifying one point of a metric. */
export type Attributes = Record<string, AttributeValue>;

/** A point of a counter, upDownCounter or gauge. */
export interface NumberPoint {
  attributes: Attributes;
  value: number;
}

/** A point of a histogram: `bucketCounts[i]` counts values in `(boundaries[i-1], boundaries[i]]`. */
export interface HistogramPoint {
  attributes: Attributes;
  count: number;
  sum: number;
  /** Smallest observation; 0 while `count` is 0. */
  min: number;
  /** Largest observation; 0 while `count` is 0. */
  max: number;
  boundaries: number[];
  bucketCounts: number[];
}

/**
 * The point of each built-in kind, keyed by the kind's name: the closed list of kinds. A new kind
 * adds its point type here (and its definition to core's kind registry, which the compiler then
 * asks for).
 */
export interface KindPoints {
  /** A monotonic sum's point. */
  counter: NumberPoint;
  /** A sum's point (deltas up and down). */
  upDownCounter: NumberPoint;
  /** The last value's point. */
  gauge: NumberPoint;
  /** A distribution over explicit buckets. */
  histogram: HistogramPoint;
}

/**
 * The built-in kinds, a closed union: `'counter' | 'upDownCounter' | 'gauge' | 'histogram'`.
 * Descriptors and snapshots also accept another string, the kind of a hand-written metric.
 */
export type MetricKind = keyof KindPoints;

/** One point of any kind. */
export type SnapshotPoint = NumberPoint | HistogramPoint;

/** A metric's current aggregated state: an immutable, JSON-serialisable copy. */
export interface MetricSnapshot<P extends SnapshotPoint = SnapshotPoint> {
  name: string;
  kind: MetricKind | (string & {});
  description?: string;
  unit?: string;
  points: P[];
  /** Observations the metric refused (bad value), counted per metric. */
  dropped?: number;
}
