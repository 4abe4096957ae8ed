import type { HrTime, Attributes as OtelAttributes } from '@opentelemetry/api';
import type { KindAdapter, MirroredHistogram, MirroredValue } from '../kinds/index.js';

export type { MirroredHistogram, MirroredValue };

/** One exported series: core point attributes plus the recorder attribute. */
export interface MirroredPoint<V = MirroredValue> {
  readonly attributes: OtelAttributes;
  readonly value: V;
}

/** The recorder attribute of a view's points: the key and the value (the recorder's name). */
export interface SeriesOwner {
  readonly key: string;
  readonly value: string;
}

/** The converted, cached state of one metric of one recorder. */
export interface MirroredMetric {
  /** `${namespace}.${metric.name}`. */
  readonly instrumentName: string;
  /** What differs per kind: conversion, merging, instrument, Prometheus names. */
  readonly adapter: KindAdapter;
  readonly unit: string;
  readonly description: string;
  /** Start of every cumulative series of this metric: when the mirror first saw it. */
  readonly startTime: HrTime;
  readonly points: readonly MirroredPoint[];
  /**
   * The recorder attribute on every point, which keeps these series apart from other recorders'
   * series of the same instrument; `undefined` when the recorder attribute is off.
   */
  readonly owner: SeriesOwner | undefined;
  /** Some points may share an attribute set: a point's own attribute was overwritten by the recorder attribute. */
  readonly overlapping: boolean;
  /**
   * The points were made for this collection as data points (`startTime`, `endTime`,
   * `attributes`, `value`, with the `endTime` the collection asked for), and nothing keeps them:
   * a collection builder may take them as they are instead of copying each.
   */
  readonly fresh?: boolean;
}
