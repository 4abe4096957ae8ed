import { histogramKind } from '../kinds/index.js';
import { BuiltInMetric } from './built-in-metric.js';
import type { HistogramOptions, Metric } from './types.js';

export { bucketIndex, DEFAULT_BUCKETS, DEFAULT_SECONDS_BUCKETS } from '../kinds/index.js';

/**
 * A distribution over explicit buckets; `value(event)` is the observation (non-negative).
 *
 * @example
 * histogram({ name: 'document.save.duration', unit: 's', on: DocumentSaved, value: (e) => e.seconds })
 */
export function histogram<E extends object>(options: HistogramOptions<E>): Metric {
  return new BuiltInMetric(histogramKind, options as HistogramOptions);
}
