import { exponentialLimitsOf, withExponentialLimits } from '@mvx-metrics/core/kinds';
import {
  type AggregationOption,
  AggregationType,
  InstrumentType,
} from '@opentelemetry/sdk-metrics';
import {
  EXPORT_SHAPES,
  exponentialHistogramShape,
  gaugeShape,
  histogramShape,
  monotonicSumShape,
  sumShape,
} from '../kinds/export-shapes.js';
import type {
  ExportShape,
  MirroredExponentialHistogram,
  MirroredHistogram,
  MirroredValue,
} from '../kinds/index.js';

/**
 * What a View and a reader's temporality do to the points of one export shape, derived from
 * cumulative state (the only state the producer has): the instrument that makes this shape in
 * sdk-metrics, the interval between two cumulative values, and a View's aggregation options.
 */
export interface StreamRules<V extends MirroredValue = MirroredValue> {
  /** The sdk-metrics instrument whose default aggregation is this shape: what views' `instrumentType` and temporality selectors see. */
  readonly instrumentType: InstrumentType;
  /** The aggregations a View may name for this shape (the default one among them). */
  readonly aggregations: readonly AggregationType[];
  /**
   * The interval from `previous` to `current` of one series: the delta value; `null` when nothing
   * happened in between; `undefined` when `current` does not continue `previous` (a reset).
   */
  delta(current: V, previous: V): V | null | undefined;
  /** Whether a new series' value says nothing happened yet (a sum at 0, an empty histogram). */
  empty(value: V): boolean;
  /**
   * The conversion a View's aggregation options make (boundaries, `maxSize`, `recordMinMax`); it
   * returns `undefined` for a value the options cannot be applied to from cumulative state
   * (boundaries that split one of its buckets).
   */
  reaggregate?(option: AggregationOption): (value: V) => V | undefined;
}

const sumDelta =
  (monotonic: boolean) =>
  (current: number, previous: number): number | null | undefined => {
    const delta = current - previous;
    if (delta === 0) return null;
    return monotonic && delta < 0 ? undefined : delta;
  };

const histogramRules: StreamRules<MirroredHistogram> = {
  instrumentType: InstrumentType.HISTOGRAM,
  aggregations: [AggregationType.DEFAULT, AggregationType.EXPLICIT_BUCKET_HISTOGRAM],
  empty: (value) => value.count === 0,
  delta(current, previous) {
    const count = current.count - previous.count;
    if (count === 0) return null;
    const before = previous.buckets;
    if (count < 0 || !sameNumbers(current.buckets.boundaries, before.boundaries)) return undefined;
    const counts = current.buckets.counts.map((n, i) => n - (before.counts[i] ?? 0));
    if (counts.some((n) => n < 0)) return undefined;
    // The interval's min and max are not in cumulative state: left out (hasMinMax false).
    return {
      buckets: { boundaries: current.buckets.boundaries, counts },
      count,
      sum: current.sum - previous.sum,
    };
  },
  reaggregate(option) {
    if (option.type !== AggregationType.EXPLICIT_BUCKET_HISTOGRAM) return (value) => value;
    const minMax = option.options?.recordMinMax !== false;
    const wanted = option.options?.boundaries;
    const boundaries = wanted === undefined ? undefined : sdkBoundaries(wanted);
    return (value) => {
      const buckets =
        boundaries === undefined ? value.buckets : rebucket(value.buckets, boundaries);
      if (buckets === undefined) return undefined;
      const out: MirroredHistogram = { buckets, count: value.count, sum: value.sum };
      if (minMax && value.min !== undefined) out.min = value.min;
      if (minMax && value.max !== undefined) out.max = value.max;
      return out;
    };
  },
};

const exponentialRules: StreamRules<MirroredExponentialHistogram> = {
  instrumentType: InstrumentType.HISTOGRAM,
  aggregations: [AggregationType.DEFAULT, AggregationType.EXPONENTIAL_HISTOGRAM],
  empty: (value) => value.count === 0,
  delta(current, previous) {
    const count = current.count - previous.count;
    if (count === 0) return null;
    if (count < 0) return undefined;
    const scale = Math.min(current.scale, previous.scale);
    const positive = subtractBuckets(
      downscale(current.positive, current.scale - scale),
      downscale(previous.positive, previous.scale - scale),
    );
    const negative = subtractBuckets(
      downscale(current.negative, current.scale - scale),
      downscale(previous.negative, previous.scale - scale),
    );
    const zeroCount = current.zeroCount - previous.zeroCount;
    if (positive === undefined || negative === undefined || zeroCount < 0) return undefined;
    const value: MirroredExponentialHistogram = { count, scale, zeroCount, positive, negative };
    if (current.sum !== undefined && previous.sum !== undefined)
      value.sum = current.sum - previous.sum;
    return withExponentialLimits(value, exponentialLimitsOf(current));
  },
  reaggregate(option) {
    if (option.type !== AggregationType.EXPONENTIAL_HISTOGRAM) return (value) => value;
    const minMax = option.options?.recordMinMax !== false;
    const maxSize = option.options?.maxSize;
    return (value) => {
      let by = 0;
      if (maxSize !== undefined) {
        while (
          span(downscale(value.positive, by)) > maxSize ||
          span(downscale(value.negative, by)) > maxSize
        )
          by++;
      }
      const out: MirroredExponentialHistogram = {
        count: value.count,
        scale: value.scale - by,
        zeroCount: value.zeroCount,
        positive: downscale(value.positive, by),
        negative: downscale(value.negative, by),
      };
      if (value.sum !== undefined) out.sum = value.sum;
      if (minMax && value.min !== undefined) out.min = value.min;
      if (minMax && value.max !== undefined) out.max = value.max;
      return withExponentialLimits(out, exponentialLimitsOf(value));
    };
  },
};

/** The rules of every export shape, one entry each. */
export const STREAM_RULES: ReadonlyMap<ExportShape, StreamRules> = new Map<
  ExportShape,
  StreamRules
>([
  [
    monotonicSumShape as ExportShape,
    {
      instrumentType: InstrumentType.COUNTER,
      aggregations: [AggregationType.DEFAULT, AggregationType.SUM],
      delta: sumDelta(true),
      empty: (value: number) => value === 0,
    } as StreamRules<number> as StreamRules,
  ],
  [
    sumShape as ExportShape,
    {
      instrumentType: InstrumentType.UP_DOWN_COUNTER,
      aggregations: [AggregationType.DEFAULT, AggregationType.SUM],
      delta: sumDelta(false),
      empty: (value: number) => value === 0,
    } as StreamRules<number> as StreamRules,
  ],
  [
    gaugeShape as ExportShape,
    {
      instrumentType: InstrumentType.GAUGE,
      aggregations: [AggregationType.DEFAULT, AggregationType.LAST_VALUE],
      // A gauge's interval value is its value; an unchanged one was not recorded, as far as
      // cumulative state can tell.
      empty: () => false,
      delta: (current: number, previous: number) => (Object.is(current, previous) ? null : current),
    } as StreamRules<number> as StreamRules,
  ],
  [histogramShape as ExportShape, histogramRules as StreamRules],
  [exponentialHistogramShape as ExportShape, exponentialRules as StreamRules],
]);

// Every shape has rules: a shape added to EXPORT_SHAPES without them fails here, at load.
for (const shape of EXPORT_SHAPES) {
  if (!STREAM_RULES.has(shape)) throw new Error(`views: no stream rules for ${shape.name}`);
}

/** Boundaries as sdk-metrics' explicit-bucket aggregation takes them: sorted, without ±Infinity. */
export function sdkBoundaries(boundaries: readonly number[]): number[] {
  const sorted = [...boundaries].sort((a, b) => a - b);
  const low = sorted.lastIndexOf(Number.NEGATIVE_INFINITY);
  let high = sorted.indexOf(Number.POSITIVE_INFINITY);
  if (high === -1) high = sorted.length;
  return sorted.slice(low + 1, high);
}

/**
 * The buckets under other boundaries, when every new boundary is one of the old (each new bucket
 * is then a run of old ones, exactly); `undefined` otherwise.
 */
export function rebucket(
  buckets: { boundaries: number[]; counts: number[] },
  boundaries: number[],
): { boundaries: number[]; counts: number[] } | undefined {
  const counts: number[] = [];
  let old = 0;
  for (const bound of boundaries) {
    let n = 0;
    while (old < buckets.boundaries.length && (buckets.boundaries[old] as number) <= bound) {
      n += buckets.counts[old] ?? 0;
      old++;
    }
    // A new bound that is not an old one would split an old bucket: its counts cannot be divided.
    if (old === 0 || buckets.boundaries[old - 1] !== bound) return undefined;
    counts.push(n);
  }
  let rest = 0;
  for (; old < buckets.counts.length; old++) rest += buckets.counts[old] ?? 0;
  counts.push(rest);
  return { boundaries, counts };
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

type Buckets = { offset: number; bucketCounts: number[] };

/** Buckets at a scale `by` lower: index i goes to i >> by (floor), counts added. */
export function downscale(buckets: Buckets, by: number): Buckets {
  if (by === 0 || buckets.bucketCounts.length === 0) return buckets;
  const offset = Math.floor(buckets.offset / 2 ** by);
  const counts: number[] = [];
  buckets.bucketCounts.forEach((n, i) => {
    const at = Math.floor((buckets.offset + i) / 2 ** by) - offset;
    counts[at] = (counts[at] ?? 0) + n;
  });
  return { offset, bucketCounts: Array.from(counts, (n) => n ?? 0) };
}

function span(buckets: Buckets): number {
  return buckets.bucketCounts.length;
}

function subtractBuckets(current: Buckets, previous: Buckets): Buckets | undefined {
  const counts = [...current.bucketCounts];
  for (let i = 0; i < previous.bucketCounts.length; i++) {
    const n = previous.bucketCounts[i] ?? 0;
    if (n === 0) continue;
    const at = previous.offset + i - current.offset;
    if (at < 0 || at >= counts.length) return undefined;
    counts[at] = (counts[at] as number) - n;
    if ((counts[at] as number) < 0) return undefined;
  }
  // Trim zero buckets at both ends, as sdk-metrics exports them.
  let start = 0;
  let end = counts.length;
  while (start < end && counts[start] === 0) start++;
  while (end > start && counts[end - 1] === 0) end--;
  if (start === end) return { offset: 0, bucketCounts: [] };
  return { offset: current.offset + start, bucketCounts: counts.slice(start, end) };
}
