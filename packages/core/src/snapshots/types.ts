/**
 * An attribute value as metrics store it: a string, a number or a boolean keeps its type
 * (OpenTelemetry's attribute types, so `413` goes out as an int over OTLP); any other value is
 * stored as a string (see docs/instrumenting.md, "Attribute values").
 */
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

/** Buckets of one sign of an exponential histogram: `bucketCounts[i]` counts bucket `offset + i`. */
export interface ExponentialBuckets {
  /** The index of the first bucket; 0 while there is none. */
  offset: number;
  bucketCounts: number[];
}

/**
 * A point of an exponential histogram, in the shape and meaning of OpenTelemetry's
 * ExponentialHistogram point: at `scale`, bucket `i` holds magnitudes in `(2^(i·2^-scale),
 * 2^((i+1)·2^-scale)]`; `positive` counts the positive values, `negative` the negative ones by
 * magnitude, `zeroCount` the zeros.
 */
export interface ExponentialHistogramPoint {
  attributes: Attributes;
  count: number;
  sum: number;
  /** Smallest observation; 0 while `count` is 0. */
  min: number;
  /** Largest observation; 0 while `count` is 0. */
  max: number;
  /** Resolution: 2^scale buckets per power of two; 0 while no non-zero value is recorded. */
  scale: number;
  zeroCount: number;
  positive: ExponentialBuckets;
  negative: ExponentialBuckets;
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
  /** A distribution over base-2 exponential buckets. */
  exponentialHistogram: ExponentialHistogramPoint;
}

/**
 * The built-in kinds, a closed union: `'counter' | 'upDownCounter' | 'gauge' | 'histogram' |
 * 'exponentialHistogram'`.
 * Descriptors and snapshots also accept another string, the kind of a hand-written metric.
 */
export type MetricKind = keyof KindPoints;

/** One point of any kind. */
export type SnapshotPoint = NumberPoint | HistogramPoint | ExponentialHistogramPoint;

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
