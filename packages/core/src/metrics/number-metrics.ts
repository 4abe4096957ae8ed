import type { Attributes, NumberPoint } from '../snapshots/types.js';
import { BuiltInMetric } from './built-in-metric.js';
import type { Metric, MetricOptions } from './types.js';

abstract class NumberMetric extends BuiltInMetric<NumberPoint> {
  constructor(options: MetricOptions, requiresValue: boolean) {
    super(options, requiresValue);
    // A number point needs nothing from the subclass, so seeding can run here.
    this.seed();
  }

  protected createPoint(attributes: Attributes): NumberPoint {
    return { attributes, value: 0 };
  }

  protected copyPoint(point: NumberPoint): NumberPoint {
    return { attributes: { ...point.attributes }, value: point.value };
  }
}

abstract class SumMetric extends NumberMetric {
  constructor(options: MetricOptions) {
    super(options, false);
  }

  protected apply(point: NumberPoint, value: number): boolean {
    const next = point.value + value;
    if (!Number.isFinite(next)) return false;
    point.value = next;
    return true;
  }
}

class CounterMetric extends SumMetric {
  readonly kind = 'counter';

  protected override checkValue(value: unknown) {
    const problem = super.checkValue(value);
    if (problem === undefined && (value as number) < 0) {
      return ['negative-increment', 'a counter only goes up (use upDownCounter for deltas)'] as [
        'negative-increment',
        string,
      ];
    }
    return problem;
  }
}

class UpDownCounterMetric extends SumMetric {
  readonly kind = 'upDownCounter';
}

class GaugeMetric extends NumberMetric {
  readonly kind = 'gauge';

  constructor(options: MetricOptions) {
    super(options, true);
  }

  protected apply(point: NumberPoint, value: number): boolean {
    point.value = value;
    return true;
  }
}

/**
 * A monotonic sum: each accepted event adds `value(event)` (default 1) to its point.
 *
 * @example
 * counter({ name: 'document.save.attempts', on: DocumentSaveAttempt, attributes: (e) => ({ outcome: e.outcome }) })
 */
export function counter<E extends object>(options: MetricOptions<E>): Metric {
  return new CounterMetric(options as MetricOptions);
}

/** A sum that goes up and down: each accepted event adds the signed `value(event)` (default 1). */
export function upDownCounter<E extends object>(options: MetricOptions<E>): Metric {
  return new UpDownCounterMetric(options as MetricOptions);
}

/** The last value seen per point; `value(event)` is required. */
export function gauge<E extends object>(options: MetricOptions<E>): Metric {
  return new GaugeMetric(options as MetricOptions);
}
