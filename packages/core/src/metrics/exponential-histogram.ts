import { exponentialHistogramKind } from '../kinds/index.js';
import { BuiltInMetric } from './built-in-metric.js';
import type { ExponentialHistogramOptions, Metric } from './types.js';

/**
 * A distribution over OpenTelemetry's base-2 exponential buckets: no boundaries to choose, at most
 * `maxSize` buckets per sign (default 160), the resolution (`scale`) as fine as they allow.
 * `value(event)` is the observation: negative values and zero are counted too.
 *
 * @example
 * exponentialHistogram({ name: 'http.server.request.duration', unit: 's', on: RequestServed, value: (e) => e.seconds })
 */
export function exponentialHistogram<E extends object>(
  options: ExponentialHistogramOptions<E>,
): Metric {
  return new BuiltInMetric(exponentialHistogramKind, options as ExponentialHistogramOptions);
}
