import { MetricsWiringError } from '../errors/index.js';
import { describeValue } from '../internal/attributes.js';
import type { Attributes, ExponentialHistogramPoint } from '../snapshots/types.js';
import { defineKind } from './define-kind.js';
import {
  copyState,
  type ExponentialLimits,
  emptyState,
  MAX_SCALE,
  MIN_SCALE,
  mergeInto,
  record,
} from './exponential/index.js';
import { checkFinite } from './number-point.js';
import type { KindDefinition, KindOptions } from './types.js';

export type { ExponentialLimits } from './exponential/index.js';

/** OpenTelemetry's default `maxSize`: buckets per sign. */
export const DEFAULT_MAX_SIZE = 160;
/** OpenTelemetry's default (and highest) `maxScale`. */
export const DEFAULT_MAX_SCALE = MAX_SCALE;
/** The largest `maxSize` taken: beyond it a point's arrays would cost more than they tell. */
export const MAX_MAX_SIZE = 16384;

// A point carries its metric's limits (apply and merge take only points), out of sight: not
// enumerable, so snapshots, JSON and deep equality show the OpenTelemetry point shape only.
const LIMITS = Symbol('mvx.exponentialLimits');

const DEFAULT_LIMITS: ExponentialLimits = Object.freeze({
  maxSize: DEFAULT_MAX_SIZE,
  maxScale: DEFAULT_MAX_SCALE,
});

type Carrier = object & { [LIMITS]?: ExponentialLimits };

/**
 * The limits an exponential histogram point (or a value copied from one with
 * {@link withExponentialLimits}) was created with; the defaults for one that carries none.
 */
export function exponentialLimitsOf(point: object): ExponentialLimits {
  return (point as Carrier)[LIMITS] ?? DEFAULT_LIMITS;
}

/** `target` carrying `limits` (not enumerable), for the point functions to read back. */
export function withExponentialLimits<T extends object>(target: T, limits: ExponentialLimits): T {
  Object.defineProperty(target, LIMITS, { value: limits, enumerable: false, writable: true });
  return target;
}

/**
 * `exponentialHistogram`: OpenTelemetry's base-2 exponential bucket histogram. Configured by
 * `maxSize` (buckets per sign) and `maxScale` (the starting resolution); values of both signs and
 * zeros are counted, NaN and ±Infinity refused.
 */
export const exponentialHistogramKind: KindDefinition<
  'exponentialHistogram',
  ExponentialHistogramPoint,
  ExponentialLimits
> = defineKind({
  kind: 'exponentialHistogram',
  requiresValue: true,
  accumulates: 'sum',
  configure: checkLimits,
  describe: (limits) => ({ maxSize: limits.maxSize, maxScale: limits.maxScale }),
  createPoint: (attributes: Attributes, limits) =>
    withExponentialLimits({ attributes, ...emptyState() }, limits),
  copyPoint: (point) =>
    withExponentialLimits(
      { attributes: { ...point.attributes }, ...copyState(point) },
      exponentialLimitsOf(point),
    ),
  checkValue: checkFinite,
  apply: (point, value) => record(point, value, exponentialLimitsOf(point)),
  merge: (into, added) => {
    const limits = exponentialLimitsOf(into);
    const merged = withExponentialLimits(
      { attributes: into.attributes, ...copyState(into) },
      limits,
    );
    return mergeInto(merged, added, limits) ? merged : undefined;
  },
});

function checkLimits(options: KindOptions): ExponentialLimits {
  const maxSize = options.maxSize === undefined ? DEFAULT_MAX_SIZE : options.maxSize;
  const maxScale = options.maxScale === undefined ? DEFAULT_MAX_SCALE : options.maxScale;
  if (!isIntegerIn(maxSize, 2, MAX_MAX_SIZE)) {
    throw new MetricsWiringError(
      'invalid-metric-options',
      `Exponential histogram "${options.name}": maxSize must be an integer from 2 to ${MAX_MAX_SIZE} (buckets per sign), got ${describeValue(maxSize)}.`,
    );
  }
  if (!isIntegerIn(maxScale, MIN_SCALE, MAX_SCALE)) {
    throw new MetricsWiringError(
      'invalid-metric-options',
      `Exponential histogram "${options.name}": maxScale must be an integer from ${MIN_SCALE} to ${MAX_SCALE}, got ${describeValue(maxScale)}.`,
    );
  }
  if (maxSize === DEFAULT_MAX_SIZE && maxScale === DEFAULT_MAX_SCALE) return DEFAULT_LIMITS;
  return Object.freeze({ maxSize, maxScale });
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
