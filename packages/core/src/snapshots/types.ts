/** An attribute value as metrics store it (values are normalised to strings; see README). */
export type AttributeValue = string | number | boolean;
/** A set of attributes identifying one point of a metric. */
export type Attributes = Record<string, AttributeValue>;

/** The built-in kinds; hand-written metrics may report their own. */
export type MetricKind = 'counter' | 'upDownCounter' | 'gauge' | 'histogram';

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
