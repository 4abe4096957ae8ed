import { MetricsWiringError } from '../errors/index.js';
import { describeValue } from '../internal/attributes.js';
import type { HistogramPoint } from '../snapshots/types.js';
import { defineKind } from './define-kind.js';
import { checkFinite } from './number-point.js';
import type { KindDefinition, KindOptions, ValueProblem } from './types.js';

/** OpenTelemetry's default explicit bucket boundaries. */
export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([
  0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000,
]);

/** Prometheus' default buckets, used when a histogram's unit is seconds. */
export const DEFAULT_SECONDS_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

const NEGATIVE: ValueProblem = [
  'invalid-value',
  'a histogram records non-negative values (as OpenTelemetry does)',
];

/**
 * The bucket a histogram counts `value` in, among explicit upper `boundaries`: the first bound
 * `>= value`, or `boundaries.length` (the +Inf bucket). Buckets are `(previous bound, bound]`, the
 * rule of OpenTelemetry and Prometheus; a mirror or an exemplar reservoir that calls this places a
 * value where the histogram counted it.
 */
export function bucketIndex(boundaries: readonly number[], value: number): number {
  let lo = 0;
  let hi = boundaries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value <= (boundaries[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * `histogram`: a distribution over explicit buckets (the metric's boundaries, its config). A
 * point's `min`/`max` are 0 while its `count` is 0.
 */
export const histogramKind: KindDefinition<'histogram', HistogramPoint, number[]> = defineKind({
  kind: 'histogram',
  requiresValue: true,
  accumulates: 'sum',
  configure: (options) => checkBuckets(options.name, bucketsOf(options)),
  describe: (boundaries) => ({ boundaries: Object.freeze([...boundaries]) }),
  createPoint: (attributes, boundaries) => ({
    attributes,
    count: 0,
    sum: 0,
    min: 0,
    max: 0,
    boundaries,
    bucketCounts: new Array<number>(boundaries.length + 1).fill(0),
  }),
  copyPoint: (point) => ({
    attributes: { ...point.attributes },
    count: point.count,
    sum: point.sum,
    min: point.min,
    max: point.max,
    boundaries: [...point.boundaries],
    bucketCounts: [...point.bucketCounts],
  }),
  checkValue: (value) => checkFinite(value) ?? ((value as number) < 0 ? NEGATIVE : undefined),
  apply: (point, value) => {
    if (!Number.isFinite(point.sum + value)) return false;
    // Not `(... as number)++`: StrykerJS cannot instrument an update of a type assertion.
    const bucket = bucketIndex(point.boundaries, value);
    point.bucketCounts[bucket] = (point.bucketCounts[bucket] as number) + 1;
    if (point.count === 0 || value < point.min) point.min = value;
    if (point.count === 0 || value > point.max) point.max = value;
    point.count++;
    point.sum += value;
    return true;
  },
  merge: mergeHistograms,
});

/**
 * Counts, sums and buckets add up, min/max are the extremes of the non-empty points. `undefined`
 * when the boundaries differ or the sum would leave the finite range (as `apply` refuses it).
 */
function mergeHistograms(into: HistogramPoint, added: HistogramPoint): HistogramPoint | undefined {
  if (!sameBoundaries(into.boundaries, added.boundaries)) return undefined;
  const sum = into.sum + added.sum;
  if (!Number.isFinite(sum)) return undefined;
  const a = into.count > 0;
  const b = added.count > 0;
  return {
    attributes: into.attributes,
    count: into.count + added.count,
    sum,
    min: a && b ? Math.min(into.min, added.min) : a ? into.min : added.min,
    max: a && b ? Math.max(into.max, added.max) : a ? into.max : added.max,
    boundaries: into.boundaries,
    bucketCounts: into.bucketCounts.map((count, i) => count + (added.bucketCounts[i] ?? 0)),
  };
}

function sameBoundaries(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function bucketsOf(options: KindOptions): readonly number[] {
  if (options.buckets !== undefined) return options.buckets as readonly number[];
  return options.unit === 's' ? DEFAULT_SECONDS_BUCKETS : DEFAULT_BUCKETS;
}

function checkBuckets(name: string, buckets: readonly number[]): number[] {
  let ok = false;
  try {
    ok =
      Array.isArray(buckets) &&
      buckets.every(
        (b, i) =>
          typeof b === 'number' &&
          Number.isFinite(b) &&
          (i === 0 || b > (buckets[i - 1] as number)),
      );
  } catch {
    ok = false; // a revoked Proxy or a throwing getter
  }
  if (!ok) {
    throw new MetricsWiringError(
      'invalid-metric-options',
      `Histogram "${name}": buckets must be strictly increasing finite numbers, got ${bucketsText(buckets)}.`,
    );
  }
  return [...buckets];
}

function bucketsText(buckets: unknown): string {
  try {
    return JSON.stringify(buckets) ?? describeValue(buckets);
  } catch {
    return describeValue(buckets);
  }
}
