import { MetricsWiringError } from '../errors/index.js';

const INSTRUMENT_NAME = /^[A-Za-z][A-Za-z0-9_.\-/]{0,254}$/;

/** True when `name` follows the OpenTelemetry instrument-name rule. */
export function isValidMetricName(name: unknown): name is string {
  return typeof name === 'string' && INSTRUMENT_NAME.test(name);
}

/** Throws a {@link MetricsWiringError} naming the fix when `name` is not a valid instrument name. */
export function assertValidMetricName(name: unknown): asserts name is string {
  if (!isValidMetricName(name)) {
    throw new MetricsWiringError(
      'invalid-metric-name',
      `Invalid metric name ${JSON.stringify(name)}: use a letter followed by up to 254 letters, digits, '_', '.', '-' or '/' (OpenTelemetry instrument-name rule), e.g. "document.save.attempts".`,
    );
  }
}
