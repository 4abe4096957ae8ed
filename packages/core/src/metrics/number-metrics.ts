import { counterKind, gaugeKind, upDownCounterKind } from '../kinds/index.js';
import { BuiltInMetric } from './built-in-metric.js';
import type { Metric, MetricOptions } from './types.js';

/**
 * A monotonic sum: each accepted event adds `value(event)` (default 1) to its point.
 *
 * @example
 * counter({ name: 'document.save.attempts', on: DocumentSaveAttempt, attributes: (e) => ({ outcome: e.outcome }) })
 */
export function counter<E extends object>(options: MetricOptions<E>): Metric {
  return new BuiltInMetric(counterKind, options as MetricOptions);
}

/** A sum that goes up and down: each accepted event adds the signed `value(event)` (default 1). */
export function upDownCounter<E extends object>(options: MetricOptions<E>): Metric {
  return new BuiltInMetric(upDownCounterKind, options as MetricOptions);
}

/** The last value seen per point; `value(event)` is required. */
export function gauge<E extends object>(options: MetricOptions<E>): Metric {
  return new BuiltInMetric(gaugeKind, options as MetricOptions);
}
