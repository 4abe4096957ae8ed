import type { Attributes as OtelAttributes } from '@opentelemetry/api';

/**
 * Prometheus naming as `@opentelemetry/exporter-prometheus` does it (characters outside
 * `[A-Za-z0-9_]` become `_`, runs of `_` collapse), so two names that print alike are caught here.
 */
function sanitizePrometheusName(name: string): string {
  return name.replace(/[^a-z0-9_]/gi, '_').replace(/_{2,}/g, '_');
}

// Labels the exporter adds itself, and `le`/`quantile` which only histogram buckets and summary
// quantiles may carry (promtool flags them anywhere else).
const RESERVED_LABELS: ReadonlySet<string> = new Set([
  'le',
  'quantile',
  'otel_scope_name',
  'otel_scope_version',
  'otel_scope_schema_url',
]);

/**
 * The Prometheus label an attribute key becomes: sanitised like the exporter does, prefixed with
 * `key_` when it would start with a digit, be empty, or take a label with a meaning of its own
 * (`le`, `quantile`, `otel_scope_*`). Deterministic, and a fixed point of the exporter's own
 * sanitising.
 */
export function prometheusLabelName(key: string): string {
  const label = sanitizePrometheusName(key);
  if (label === '' || (label.charCodeAt(0) >= 48 && label.charCodeAt(0) <= 57)) {
    return sanitizePrometheusName(`key_${label}`);
  }
  if (RESERVED_LABELS.has(label)) return `key_${label}`;
  return label;
}

/**
 * The text of an attribute value in a Prometheus label, as `@opentelemetry/exporter-prometheus`
 * writes it: a string as it is, any other value JSON-encoded (`413`, `true`, `1e+21`, `0` for
 * `-0`, `null` for `NaN` and `±Infinity`), `undefined` as the empty string. Two attribute sets
 * whose values have the same text are one series on `/metrics` (`200` and `'200'`).
 */
export function prometheusLabelValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value); // a bigint or a cycle: never in the bridge's own attributes
  }
}

/**
 * Attributes with Prometheus-safe keys. Keys that map to the same label are merged as the
 * OpenTelemetry Prometheus compatibility rules say: values joined with `;`, ordered by the
 * original keys. Returns `attributes` itself when nothing changes (the common case).
 */
export function prometheusSafeAttributes(
  attributes: OtelAttributes,
  cache: Map<string, string>,
): OtelAttributes {
  // Own keys only, and own-property checks on the output: a key such as `constructor` or
  // `__proto__` must never read or set what `Object.prototype` holds.
  const keys = Object.keys(attributes);
  let changed = false;
  for (const key of keys) {
    if (labelFor(key, cache) !== key) {
      changed = true;
      break;
    }
  }
  if (!changed) return attributes;
  const out: Record<string, string> = {};
  for (const key of keys.sort()) {
    const value = attributes[key];
    if (value === undefined || value === null) continue;
    const text = prometheusLabelValue(value);
    const label = labelFor(key, cache);
    const merged = Object.hasOwn(out, label) ? `${out[label]};${text}` : text;
    Object.defineProperty(out, label, {
      value: merged,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function labelFor(key: string, cache: Map<string, string>): string {
  let label = cache.get(key);
  if (label === undefined) {
    label = prometheusLabelName(key);
    if (cache.size < 10_000) cache.set(key, label);
  }
  return label;
}

/** The base of a metric's Prometheus sample names (kind adapters add `_total`, `_bucket`, ...). */
export function prometheusBaseName(instrumentName: string): string {
  const base = sanitizePrometheusName(instrumentName);
  return base.charCodeAt(0) >= 48 && base.charCodeAt(0) <= 57 ? `_${base}` : base;
}
