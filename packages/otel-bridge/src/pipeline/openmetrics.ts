import type { Attributes as OtelAttributes } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import {
  type DataPoint,
  DataPointType,
  type Histogram,
  type MetricData,
  type ResourceMetrics,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import { type BridgeExemplar, type ExemplarCarrier, latestOf } from '../exemplars/types.js';
import { prometheusLabelName } from '../internal/prometheus-names.js';
import { sanitizePrometheusName } from '../internal/prometheus-units.js';
import { exportKind } from './prometheus-labels.js';

/** The `Content-Type` of an OpenMetrics 1.0 body. */
export const OPENMETRICS_CONTENT_TYPE =
  'application/openmetrics-text; version=1.0.0; charset=utf-8';

// OpenMetrics caps an exemplar's label set (names and values) at 128 UTF-8 characters.
const EXEMPLAR_LABEL_LIMIT = 128;

/**
 * OpenMetrics 1.0 text of a collection that has gone through `prometheusLabels` (names, units and
 * labels already Prometheus-safe): the same series, names and label values as the exporter's
 * Prometheus text format, plus `# UNIT`, exemplars on counter and histogram-bucket samples,
 * `target_info` as an info family, and `# EOF`.
 */
export function serializeOpenMetrics(resourceMetrics: ResourceMetrics): string {
  let out = targetInfo(resourceMetrics.resource);
  for (const scope of resourceMetrics.scopeMetrics) out += scopeText(scope);
  return `${out}# EOF\n`;
}

function targetInfo(resource: Resource): string {
  const labels = labelText(resource.attributes, undefined, true);
  return `# TYPE target info\n# HELP target Target metadata\ntarget_info${braces(labels)} 1\n`;
}

function scopeText(scope: ScopeMetrics): string {
  const scopeLabels: Record<string, string> = { otel_scope_name: scope.scope.name };
  if (scope.scope.schemaUrl) scopeLabels.otel_scope_schema_url = scope.scope.schemaUrl;
  if (scope.scope.version) scopeLabels.otel_scope_version = scope.scope.version;
  let out = '';
  for (const metric of scope.metrics) out += metricText(metric, scopeLabels);
  return out;
}

function metricText(metric: MetricData, scopeLabels: OtelAttributes): string {
  const kind = exportKind(metric);
  const base = sanitizePrometheusName(metric.descriptor.name);
  // The family of a counter is its name without `_total`; its sample always ends with it.
  const family = kind === 'counter' ? base.replace(/_total$/, '') : base;
  const sample = kind === 'counter' ? `${family}_total` : family;
  let out = `# TYPE ${family} ${kind}\n`;
  const unit = metric.descriptor.unit;
  if (unit !== '' && family.endsWith(`_${unit}`)) out += `# UNIT ${family} ${unit}\n`;
  out += `# HELP ${family} ${escapeText(metric.descriptor.description || 'description missing')}\n`;
  if (metric.dataPointType === DataPointType.HISTOGRAM) {
    for (const point of metric.dataPoints) out += histogramText(family, point, scopeLabels);
    return out;
  }
  for (const point of metric.dataPoints as DataPoint<number>[]) {
    const labels = braces(labelText(point.attributes, scopeLabels));
    if (kind === 'counter') {
      const exemplar = latestOf((point as ExemplarCarrier).exemplars);
      out += `${sample}${labels} ${number(point.value)}${exemplarText(exemplar)}\n`;
    } else {
      out += `${family}${labels} ${number(point.value)}\n`;
    }
  }
  return out;
}

function histogramText(family: string, point: DataPoint<Histogram>, scope: OtelAttributes): string {
  const labels = labelText(point.attributes, scope);
  const { boundaries, counts } = point.value.buckets;
  const exemplars = (point as ExemplarCarrier).exemplars;
  let out = '';
  let cumulative = 0;
  let lower = Number.NEGATIVE_INFINITY;
  let infinite = false;
  for (let i = 0; i < counts.length; i++) {
    cumulative += counts[i] ?? 0;
    const upper = boundaries[i] ?? Number.POSITIVE_INFINITY;
    const le = upper === Number.POSITIVE_INFINITY ? '+Inf' : String(upper);
    const exemplar = exemplars?.[i];
    // An exemplar is printed only inside its bucket: (lower, upper].
    const inside = exemplar !== undefined && exemplar.value > lower && exemplar.value <= upper;
    out += `${family}_bucket${braces(join(labels, `le="${le}"`))} ${cumulative}${exemplarText(inside ? exemplar : undefined)}\n`;
    if (upper === Number.POSITIVE_INFINITY) {
      infinite = true;
      break;
    }
    lower = upper;
  }
  if (!infinite) {
    out += `${family}_bucket${braces(join(labels, 'le="+Inf"'))} ${point.value.count}\n`;
  }
  // OpenMetrics: a histogram with a negative bucket exposes neither _sum nor _count.
  if (boundaries.length === 0 || (boundaries[0] as number) >= 0) {
    out += `${family}_count${braces(labels)} ${point.value.count}\n`;
    out += `${family}_sum${braces(labels)} ${number(point.value.sum ?? 0)}\n`;
  }
  return out;
}

function exemplarText(exemplar: BridgeExemplar | undefined): string {
  if (exemplar === undefined || !Number.isFinite(exemplar.value)) return '';
  const { traceId, spanId } = exemplar;
  if (traceId.length + spanId.length + 15 > EXEMPLAR_LABEL_LIMIT) return ''; // 15: the two names
  const labels = traceId === '' ? '' : `trace_id="${traceId}",span_id="${spanId}"`;
  const seconds = (Math.round(exemplar.time) / 1000).toFixed(3);
  return ` # {${labels}} ${number(exemplar.value)} ${seconds}`;
}

function labelText(
  attributes: OtelAttributes,
  extra: OtelAttributes | undefined,
  resource = false,
): string {
  let out = '';
  for (const key of Object.keys(attributes)) out = join(out, label(key, attributes[key], resource));
  if (extra !== undefined) {
    for (const key of Object.keys(extra)) out = join(out, label(key, extra[key], false));
  }
  return out;
}

function label(key: string, value: unknown, resource: boolean): string {
  // Point attributes are Prometheus-safe already; resource keys are sanitised as the exporter does.
  const name = resource ? prometheusLabelName(key) : key;
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  return `${name}="${escapeText(text)}"`;
}

function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function join(list: string, item: string): string {
  return list === '' ? item : `${list},${item}`;
}

function braces(labels: string): string {
  return labels === '' ? '' : `{${labels}}`;
}

function number(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}
