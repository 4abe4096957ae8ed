import { getNumberFromEnv, getStringFromEnv } from '@opentelemetry/core';
import type { SpanLimits } from '@opentelemetry/sdk-trace';
import { optionError, optionsObject, readOption, shown } from '../internal/option-checks.js';
import type { PipelineEnvironment } from './environment.js';

/**
 * Each span limit and the variables NodeSDK reads for it, first found wins (sdk-node's
 * `createSpanLimitsFromEnv`): the `OTEL_SPAN_` variables, then the general attribute limits.
 */
const LIMITS: ReadonlyArray<readonly [keyof SpanLimits, readonly string[], string]> = [
  [
    'attributeCountLimit',
    ['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_ATTRIBUTE_COUNT_LIMIT'],
    'the default 128',
  ],
  [
    'attributeValueLengthLimit',
    ['OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'],
    'no limit',
  ],
  ['eventCountLimit', ['OTEL_SPAN_EVENT_COUNT_LIMIT'], 'the default 128'],
  ['linkCountLimit', ['OTEL_SPAN_LINK_COUNT_LIMIT'], 'the default 128'],
  ['attributePerEventCountLimit', ['OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT'], 'the default 128'],
  ['attributePerLinkCountLimit', ['OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT'], 'the default 128'],
];

const OWNER = 'createOtelPipeline';

/** A limit as the specification defines it: a whole number of at least 0, or no limit. */
function isLimit(value: unknown): boolean {
  return (
    typeof value === 'number' &&
    value >= 0 &&
    (Number.isInteger(value) || value === Number.POSITIVE_INFINITY)
  );
}

/** `spanLimits` must be an object of known limits, each a whole number of at least 0 (or Infinity). */
export function checkSpanLimits(raw: unknown): void {
  if (raw === undefined) return;
  const limits = optionsObject(`${OWNER}: spanLimits`, raw);
  for (const [key] of LIMITS) {
    const value = readOption(`${OWNER}: spanLimits`, limits, key);
    if (value !== undefined && !isLimit(value)) {
      optionError(
        OWNER,
        `spanLimits.${key} must be a whole number of at least 0 (or Infinity), got ${shown(value)}.`,
      );
    }
  }
  const unknown = Object.keys(limits).filter((key) => !LIMITS.some(([name]) => name === key));
  if (unknown.length > 0) {
    optionError(
      OWNER,
      `spanLimits has no ${unknown.map((k) => `\`${k}\``).join(', ')}; the limits are ${LIMITS.map(([k]) => k).join(', ')}.`,
    );
  }
}

/**
 * The span limits of the pipeline's `TracerProvider`, built as NodeSDK builds them: the
 * environment's (with core's number parsing, so a value NodeSDK reads is read the same), then the
 * `spanLimits` option over them field by field. A value that is no number is ignored, as
 * NodeSDK ignores it; one that is no whole number of at least 0 is used as NodeSDK uses it. Both
 * are reported.
 */
export function resolveSpanLimits(
  option: SpanLimits | undefined,
  env: PipelineEnvironment,
): SpanLimits {
  const fromEnv: SpanLimits = {};
  for (const [key, names, fallback] of LIMITS) {
    for (const name of names) {
      const raw = getStringFromEnv(name);
      if (raw === undefined) continue;
      const value = getNumberFromEnv(name);
      if (value === undefined) {
        env.invalid(name, raw, 'a whole number of at least 0', fallback);
        continue;
      }
      if (!isLimit(value)) {
        env.invalid(name, raw, 'a whole number of at least 0', `${value}, as NodeSDK does`);
      }
      fromEnv[key] = value;
      break;
    }
  }
  return { ...fromEnv, ...option };
}
