import { MetricsWiringError } from '../errors/index.js';
import { describeValue } from '../internal/attributes.js';
import type { Attributes, HistogramPoint } from '../snapshots/types.js';
import { BuiltInMetric } from './built-in-metric.js';
import type { HistogramOptions, Metric } from './types.js';

/** OpenTelemetry's default explicit bucket boundaries. */
export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([
  0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000,
]);

/** Prometheus' default buckets, used when a histogram's unit is seconds. */
export const DEFAULT_SECONDS_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

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

class HistogramMetric extends BuiltInMetric<HistogramPoint> {
  readonly kind = 'histogram';
  private readonly boundaries: number[];

  constructor(options: HistogramOptions) {
    super(options, true);
    this.boundaries = checkBuckets(
      this.name,
      this.checked.buckets === undefined
        ? this.checked.unit === 's'
          ? DEFAULT_SECONDS_BUCKETS
          : DEFAULT_BUCKETS
        : (this.checked.buckets as readonly number[]),
    );
    this.seed();
  }

  protected override describe() {
    const descriptor = super.describe();
    descriptor.boundaries = Object.freeze([...this.boundaries]);
    return descriptor;
  }

  protected override checkValue(value: unknown) {
    const problem = super.checkValue(value);
    if (problem === undefined && (value as number) < 0) {
      return [
        'invalid-value',
        'a histogram records non-negative values (as OpenTelemetry does)',
      ] as ['invalid-value', string];
    }
    return problem;
  }

  protected createPoint(attributes: Attributes): HistogramPoint {
    return {
      attributes,
      count: 0,
      sum: 0,
      min: 0,
      max: 0,
      boundaries: this.boundaries,
      bucketCounts: new Array<number>(this.boundaries.length + 1).fill(0),
    };
  }

  protected apply(point: HistogramPoint, value: number): boolean {
    if (!Number.isFinite(point.sum + value)) return false;
    // Not `(... as number)++`: StrykerJS cannot instrument an update of a type assertion.
    const bucket = bucketIndex(this.boundaries, value);
    point.bucketCounts[bucket] = (point.bucketCounts[bucket] as number) + 1;
    if (point.count === 0 || value < point.min) point.min = value;
    if (point.count === 0 || value > point.max) point.max = value;
    point.count++;
    point.sum += value;
    return true;
  }

  protected copyPoint(point: HistogramPoint): HistogramPoint {
    return {
      attributes: { ...point.attributes },
      count: point.count,
      sum: point.sum,
      min: point.min,
      max: point.max,
      boundaries: [...point.boundaries],
      bucketCounts: [...point.bucketCounts],
    };
  }
}

/**
 * A distribution over explicit buckets; `value(event)` is the observation (non-negative).
 *
 * @example
 * histogram({ name: 'document.save.duration', unit: 's', on: DocumentSaved, value: (e) => e.seconds })
 */
export function histogram<E extends object>(options: HistogramOptions<E>): Metric {
  return new HistogramMetric(options as HistogramOptions);
}
