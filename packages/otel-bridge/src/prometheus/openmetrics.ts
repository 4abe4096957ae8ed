import type { Attributes as OtelAttributes } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type {
  DataPoint,
  MetricData,
  ResourceMetrics,
  ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import { braces, escapeText, joinLabels } from '../exposition/openmetrics-text.js';
import { prometheusLabelValue } from '../exposition/prometheus-names.js';
import { sanitizePrometheusName } from '../exposition/prometheus-units.js';
import { adapterForData, type MirroredValue } from '../kinds/index.js';

/** The `Content-Type` of an OpenMetrics 1.0 body. */
export const OPENMETRICS_CONTENT_TYPE =
  'application/openmetrics-text; version=1.0.0; charset=utf-8';

/**
 * OpenMetrics 1.0 text of a collection that has gone through `prometheusLabels` (names, units and
 * labels already Prometheus-safe): the same series, names and label values as the exporter's
 * Prometheus text format, plus `# UNIT`, exemplars on counter and histogram-bucket samples (each
 * export shape writes its samples), `target_info` as an info family, and `# EOF`.
 */
export function serializeOpenMetrics(resourceMetrics: ResourceMetrics): string {
  let out = targetInfo(resourceMetrics.resource);
  for (const scope of resourceMetrics.scopeMetrics) out += scopeText(scope);
  return `${out}# EOF\n`;
}

function targetInfo(resource: Resource): string {
  const labels = labelText(resource.attributes, undefined);
  return `# TYPE target info\n# HELP target Target metadata\ntarget_info${braces(labels)} 1\n`;
}

/** The labels every series of a scope carries (`otel_scope_name`, its version and schema URL). */
export function scopeLabels(scope: ScopeMetrics): Record<string, string> {
  const labels: Record<string, string> = { otel_scope_name: scope.scope.name };
  if (scope.scope.schemaUrl) labels.otel_scope_schema_url = scope.scope.schemaUrl;
  if (scope.scope.version) labels.otel_scope_version = scope.scope.version;
  return labels;
}

function scopeText(scope: ScopeMetrics): string {
  const labels = scopeLabels(scope);
  let out = '';
  for (const metric of scope.metrics) out += metricText(metric, labels);
  return out;
}

function metricText(metric: MetricData, scopeLabels: OtelAttributes): string {
  const adapter = adapterForData(metric);
  if (adapter === undefined) return ''; // data of a kind the bridge never produces
  const writer = adapter.openMetrics;
  const family = writer.family(sanitizePrometheusName(metric.descriptor.name));
  let out = `# TYPE ${family} ${writer.type}\n`;
  const unit = metric.descriptor.unit;
  if (unit !== '' && family.endsWith(`_${unit}`)) out += `# UNIT ${family} ${unit}\n`;
  out += `# HELP ${family} ${escapeText(metric.descriptor.description || 'description missing')}\n`;
  for (const point of metric.dataPoints as DataPoint<MirroredValue>[]) {
    out += writer.samples(family, labelText(point.attributes, scopeLabels), point);
  }
  return out;
}

function labelText(attributes: OtelAttributes, extra: OtelAttributes | undefined): string {
  let out = '';
  for (const key of Object.keys(attributes)) out = joinLabels(out, label(key, attributes[key]));
  if (extra !== undefined) {
    for (const key of Object.keys(extra)) out = joinLabels(out, label(key, extra[key]));
  }
  return out;
}

function label(key: string, value: unknown): string {
  return `${labelName(key)}="${escapeText(labelValue(value))}"`;
}

/**
 * The label pairs of a point (its attributes, then `extra`), as both text formats write them: for
 * the protobuf exposition, so that every format gives Prometheus the same series.
 */
export function labelPairs(
  attributes: OtelAttributes,
  extra: OtelAttributes | undefined,
): Array<{ name: string; value: string }> {
  const out: Array<{ name: string; value: string }> = [];
  for (const key of Object.keys(attributes)) {
    out.push({ name: labelName(key), value: labelValue(attributes[key]) });
  }
  if (extra !== undefined) {
    for (const key of Object.keys(extra)) {
      out.push({ name: labelName(key), value: labelValue(extra[key]) });
    }
  }
  return out;
}

// The exporter's sanitising (the bridge's points are safe already; the SDK's own instruments'
// and the resource's keys are not), so every format gives Prometheus the same series.
function labelName(key: string): string {
  const name = sanitizePrometheusName(key);
  return leadingDigit(name) ? `_${name}` : name;
}

// The exporter's text of a value; `null` (never in the bridge's attributes) as the empty string, as before.
function labelValue(value: unknown): string {
  return prometheusLabelValue(value ?? '');
}

function leadingDigit(name: string): boolean {
  const c = name.charCodeAt(0);
  return c >= 48 && c <= 57;
}
