import { getStringFromEnv } from '@opentelemetry/core';
import type { Reporter } from '../internal/report.js';
import type { ExemplarFilterName } from './types.js';

const FILTERS: ReadonlySet<string> = new Set(['trace_based', 'always_on', 'always_off']);

/** The environment variable OpenTelemetry SDKs read the exemplar filter from. */
export const EXEMPLAR_FILTER_VARIABLE = 'OTEL_METRICS_EXEMPLAR_FILTER';

/**
 * The exemplar filter: the option when given, else `OTEL_METRICS_EXEMPLAR_FILTER`, else
 * `trace_based` (the SDK default). An unknown value in the environment is reported once and the
 * default used, as OpenTelemetry treats bad configuration; a bad option is a wiring error (the caller's).
 */
export function resolveExemplarFilter(
  option: ExemplarFilterName | undefined,
  reporter: Reporter,
): ExemplarFilterName {
  if (option !== undefined) return option;
  const raw = getStringFromEnv(EXEMPLAR_FILTER_VARIABLE);
  if (raw === undefined) return 'trace_based';
  const value = raw.toLowerCase();
  if (FILTERS.has(value)) return value as ExemplarFilterName;
  reporter.once(
    `env:${EXEMPLAR_FILTER_VARIABLE}`,
    'invalid-option',
    `otel-bridge: ${EXEMPLAR_FILTER_VARIABLE}=${JSON.stringify(raw)} is not one of trace_based, always_on, always_off; using trace_based.`,
  );
  return 'trace_based';
}

/** Whether `value` names an exemplar filter. */
export function isExemplarFilter(value: unknown): value is ExemplarFilterName {
  return typeof value === 'string' && FILTERS.has(value);
}
