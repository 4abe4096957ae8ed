import type { Attributes as OtelAttributes } from '@opentelemetry/api';
import {
  type AggregationOption,
  AggregationType,
  type IAttributesProcessor,
  InstrumentType,
  type ViewOptions,
} from '@opentelemetry/sdk-metrics';
import { optionError, shown } from '../internal/option-checks.js';

/**
 * One View as the producer applies it: sdk-metrics' selection rules (instrument name pattern
 * with one `*` wildcard, type, unit; meter name, version, schema URL) and the stream it makes.
 */
export interface StreamView {
  /** The View's index in the list it came from (reports name it). */
  readonly index: number;
  matches(scope: string, name: string, unit: string, type: InstrumentType): boolean;
  readonly name: string | undefined;
  readonly description: string | undefined;
  /** The View's attribute processors in order; `undefined` when it has none. */
  readonly processors: readonly IAttributesProcessor[] | undefined;
  readonly drop: boolean;
  readonly aggregation: AggregationOption | undefined;
  readonly cardinalityLimit: number | undefined;
}

const INSTRUMENT_TYPES = new Set<unknown>(Object.values(InstrumentType));
const AGGREGATION_TYPES = new Set<unknown>(
  Object.values(AggregationType).filter((v) => typeof v === 'number'),
);

/**
 * Checks `views` (sdk-metrics `ViewOptions`) as sdk-metrics' `View` constructor does, plus the
 * types of every field, and compiles them; a mistake throws a MetricsWiringError at wiring time.
 */
export function compileViews(owner: string, views: unknown): StreamView[] {
  if (views === undefined) return [];
  if (!Array.isArray(views))
    optionError(owner, `views must be an array of ViewOptions, got ${shown(views)}.`);
  return views.map((raw, index) => compileView(owner, raw, index));
}

function compileView(owner: string, raw: unknown, index: number): StreamView {
  const at = `views[${index}]`;
  if (raw === null || typeof raw !== 'object')
    optionError(owner, `${at} must be a ViewOptions object, got ${shown(raw)}.`);
  const view = raw as ViewOptions;
  const text = (key: keyof ViewOptions): string | undefined => {
    const value = view[key];
    if (value !== undefined && typeof value !== 'string')
      optionError(owner, `${at}.${key} must be a string, got ${shown(value)}.`);
    return value as string | undefined;
  };
  const instrumentName = text('instrumentName');
  const instrumentUnit = text('instrumentUnit');
  const meterName = text('meterName');
  const meterVersion = text('meterVersion');
  const meterSchemaUrl = text('meterSchemaUrl');
  const name = text('name');
  const description = text('description');
  const instrumentType = view.instrumentType;
  if (instrumentType !== undefined && !INSTRUMENT_TYPES.has(instrumentType))
    optionError(
      owner,
      `${at}.instrumentType must be an InstrumentType, got ${shown(instrumentType)}.`,
    );
  if (
    instrumentName === undefined &&
    instrumentType === undefined &&
    instrumentUnit === undefined &&
    meterName === undefined &&
    meterVersion === undefined &&
    meterSchemaUrl === undefined
  ) {
    optionError(
      owner,
      `${at} selects nothing: give it an instrumentName, instrumentType, instrumentUnit, meterName, meterVersion or meterSchemaUrl (sdk-metrics refuses such a View too).`,
    );
  }
  if (name !== undefined && (instrumentName === undefined || instrumentName.includes('*'))) {
    optionError(
      owner,
      `${at} renames to "${name}" but may select several instruments: a View with a name needs an instrumentName without a wildcard (sdk-metrics refuses it too).`,
    );
  }
  const processors = view.attributesProcessors;
  if (
    processors !== undefined &&
    (!Array.isArray(processors) ||
      processors.some(
        (p) => p === null || typeof p !== 'object' || typeof p.process !== 'function',
      ))
  ) {
    optionError(
      owner,
      `${at}.attributesProcessors must be an array of attribute processors (createAllowListAttributesProcessor, createDenyListAttributesProcessor), got ${shown(processors)}.`,
    );
  }
  const limit = view.aggregationCardinalityLimit;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 1))
    optionError(
      owner,
      `${at}.aggregationCardinalityLimit must be a whole number of at least 1, got ${shown(limit)}.`,
    );
  const aggregation = checkAggregation(owner, at, view.aggregation);
  let namePattern: ((name: string) => boolean) | undefined;
  try {
    namePattern = instrumentName === undefined ? undefined : namePredicate(instrumentName);
  } catch (error) {
    optionError(
      owner,
      `${at}.instrumentName ${shown(instrumentName)} is not a pattern sdk-metrics accepts (one \`*\` wildcard).`,
      error,
    );
  }
  return {
    index,
    matches: (scope, metric, unit, type) =>
      (instrumentType === undefined || instrumentType === type) &&
      (namePattern === undefined || namePattern(metric)) &&
      (instrumentUnit === undefined || instrumentUnit === unit) &&
      (meterName === undefined || meterName === scope) &&
      // Mirrored scopes have the version sdk-metrics gives a meter asked for by name only (''),
      // and no schema URL, which sdk-metrics matches whatever a View asks for.
      (meterVersion === undefined || meterVersion === ''),
    name,
    description,
    processors: processors === undefined ? undefined : [...processors],
    drop: aggregation?.type === AggregationType.DROP,
    aggregation,
    cardinalityLimit: limit,
  };
}

function checkAggregation(owner: string, at: string, raw: unknown): AggregationOption | undefined {
  if (raw === undefined) return undefined;
  const option = raw as AggregationOption;
  if (raw === null || typeof raw !== 'object' || !AGGREGATION_TYPES.has(option.type))
    optionError(owner, `${at}.aggregation must be { type: AggregationType.… }, got ${shown(raw)}.`);
  if (option.type === AggregationType.EXPLICIT_BUCKET_HISTOGRAM && option.options !== undefined) {
    const { boundaries } = option.options;
    if (
      !Array.isArray(boundaries) ||
      boundaries.some((b) => typeof b !== 'number' || Number.isNaN(b))
    )
      optionError(
        owner,
        `${at}.aggregation.options.boundaries must be an array of numbers, got ${shown(boundaries)}.`,
      );
  }
  if (
    option.type === AggregationType.EXPONENTIAL_HISTOGRAM &&
    option.options?.maxSize !== undefined
  ) {
    const { maxSize } = option.options;
    if (!(Number.isSafeInteger(maxSize) && maxSize >= 2))
      optionError(
        owner,
        `${at}.aggregation.options.maxSize must be a whole number of at least 2, got ${shown(maxSize)}.`,
      );
  }
  return option;
}

// sdk-metrics' instrument name pattern: `*` alone matches everything; otherwise regular
// expression characters are literal and the first `*` matches any run of characters.
function namePredicate(pattern: string): (name: string) => boolean {
  if (pattern === '*') return () => true;
  const source = pattern.replace(/[\^$\\.+?()[\]{}|]/g, '\\$&').replace('*', '.*');
  const regexp = new RegExp(`^${source}$`);
  return (name) => regexp.test(name);
}

/**
 * The attributes after a View's processors, in order (no context: cumulative state has none).
 * Memoised per attribute object: the mirror keeps a series' attribute object between
 * collections, so its processed attributes (and their key) are built once.
 */
export function processAttributes(
  processors: readonly IAttributesProcessor[],
  attributes: OtelAttributes,
): OtelAttributes {
  let memo = PROCESSED.get(processors);
  if (memo === undefined) {
    memo = new WeakMap();
    PROCESSED.set(processors, memo);
  }
  let out = memo.get(attributes);
  if (out !== undefined) return out;
  out = attributes;
  for (const processor of processors) out = processor.process(out);
  memo.set(attributes, out);
  return out;
}

const PROCESSED = new WeakMap<
  readonly IAttributesProcessor[],
  WeakMap<OtelAttributes, OtelAttributes>
>();
