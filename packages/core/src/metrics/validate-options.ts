// The options of the built-in metric factories, checked once at definition: each value is read
// once (a getter cannot change it later) and a mistake throws a MetricsWiringError naming it.
import { MetricsWiringError } from '../errors/index.js';
import type { EventSelector } from '../events/index.js';
import { describeValue } from '../internal/attributes.js';
import {
  type OptionOwner,
  optionalArray,
  optionalFunction,
  optionalString,
  readOption,
} from '../internal/option-checks.js';
import { DEFAULT_CARDINALITY_LIMIT } from '../internal/point-store.js';
import type { Attributes } from '../snapshots/types.js';
import { assertValidMetricName } from './name.js';
import type { AnyEvent, HistogramOptions } from './types.js';

/** Metric options after the wiring-time checks. */
export interface CheckedMetricOptions {
  readonly name: string;
  readonly on: EventSelector;
  readonly description: string | undefined;
  readonly unit: string | undefined;
  readonly attributes: ((event: AnyEvent) => Readonly<Record<string, unknown>>) | undefined;
  readonly value: ((event: AnyEvent) => number) | undefined;
  readonly initial: readonly Attributes[] | undefined;
  readonly cardinalityLimit: number;
  /** `false`: the name is exported as is, without the runtime's namespace. */
  readonly namespace: false | undefined;
  /** Histograms only: the `buckets` option as given (checked by the histogram). */
  readonly buckets: unknown;
  /** Exponential histograms only: `maxSize` as given (checked by the kind). */
  readonly maxSize: unknown;
  /** Exponential histograms only: `maxScale` as given (checked by the kind). */
  readonly maxScale: unknown;
}

const FACTORY: OptionOwner = { label: 'Metric options', code: 'invalid-metric-options' };

/** Checks the options of `counter`, `upDownCounter`, `gauge` or `histogram`. */
export function checkMetricOptions(options: unknown, requiresValue: boolean): CheckedMetricOptions {
  if (options === null || typeof options !== 'object') {
    throw new MetricsWiringError(
      'invalid-metric-options',
      'Metric options must be an object with at least `name` and `on`.',
    );
  }
  const name = readOption(FACTORY, options, 'name');
  assertValidMetricName(name as string);
  const owner: OptionOwner = { label: `Metric "${name}"`, code: 'invalid-metric-options' };
  const on = readOption(owner, options, 'on');
  if (typeof on !== 'string' && typeof on !== 'function') {
    throw new MetricsWiringError(
      'invalid-metric-options',
      `Metric "${name}" needs \`on\`: an event class, a type string or a predicate, got ${describeValue(on)}.`,
    );
  }
  const value = optionalFunction<(event: AnyEvent) => number>(owner, options, 'value');
  if (requiresValue && value === undefined) {
    throw new MetricsWiringError(
      'invalid-metric-options',
      `Metric "${name}" needs \`value: (event) => number\`.`,
    );
  }
  const given = readOption(owner, options, 'cardinalityLimit');
  const limit = given === undefined ? DEFAULT_CARDINALITY_LIMIT : given;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 2) {
    throw new MetricsWiringError(
      'invalid-metric-options',
      `Metric "${name}": cardinalityLimit must be an integer >= 2, got ${describeValue(limit)}.`,
    );
  }
  const namespace = readOption(owner, options, 'namespace');
  if (namespace !== undefined && namespace !== false) {
    throw new MetricsWiringError(
      'invalid-metric-options',
      `Metric "${name}": namespace must be false (the name is the full OpenTelemetry name, exported without the runtime's namespace) or absent, got ${describeValue(namespace)}.`,
    );
  }
  return {
    name: name as string,
    namespace,
    on: on as EventSelector,
    description: optionalString(owner, options, 'description'),
    unit: optionalString(owner, options, 'unit'),
    attributes: optionalFunction(owner, options, 'attributes'),
    value,
    initial: checkInitial(owner, options),
    cardinalityLimit: limit,
    buckets: readOption(owner, options as HistogramOptions, 'buckets'),
    maxSize: readOption(owner, options, 'maxSize'),
    maxScale: readOption(owner, options, 'maxScale'),
  };
}

// `initial` is a list of attribute objects; anything else would throw on the first event.
function checkInitial(owner: OptionOwner, options: object): readonly Attributes[] | undefined {
  const initial = optionalArray(owner, options, 'initial');
  if (initial === undefined) return undefined;
  initial.forEach((attributes, i) => {
    if (attributes === null || typeof attributes !== 'object' || Array.isArray(attributes)) {
      throw new MetricsWiringError(
        'invalid-metric-options',
        `${owner.label}: option \`initial\` must be an array of attribute objects, got ${describeValue(attributes)} at index ${i}.`,
      );
    }
  });
  return initial as Attributes[];
}
