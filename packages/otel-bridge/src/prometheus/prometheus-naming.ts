import type { MetricData, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { prometheusMetricName, prometheusUnit } from '../exposition/prometheus-units.js';
import { adapterForData } from '../kinds/index.js';

/** Prometheus names: OpenTelemetry's compatibility rules, or the names of earlier versions. */
export type PrometheusNaming = 'opentelemetry' | 'unsuffixed';

/**
 * A collection under Prometheus names, for both formats of `/metrics`: every metric (the bridge's
 * and those the SDK's own instruments record, such as runtime metrics) gets OpenTelemetry's
 * Prometheus name (unit suffix, `_total`; see `prometheusMetricName`) and its unit as the
 * Prometheus word, so the exporter prints `docs_document_save_duration_seconds` with
 * `# UNIT ... seconds`, as the Collector names it. `'unsuffixed'` returns the collection as it is.
 */
export function renameForPrometheus(
  resourceMetrics: ResourceMetrics,
  naming: PrometheusNaming,
  cache: Map<string, { name: string; unit: string }>,
): ResourceMetrics {
  if (naming === 'unsuffixed') return resourceMetrics;
  return {
    ...resourceMetrics,
    scopeMetrics: resourceMetrics.scopeMetrics.map((scope) => ({
      ...scope,
      metrics: scope.metrics.map((metric) => renamed(metric, cache)),
    })),
  };
}

function renamed(
  metric: MetricData,
  cache: Map<string, { name: string; unit: string }>,
): MetricData {
  const rules = adapterForData(metric)?.prometheusNaming;
  if (rules === undefined) return metric; // data of a kind the bridge has no adapter for
  const { descriptor } = metric;
  const key = `${rules.total}${rules.ratio}\u0000${descriptor.unit}\u0000${descriptor.name}`;
  let translated = cache.get(key);
  if (translated === undefined) {
    translated = {
      name: prometheusMetricName(descriptor.name, descriptor.unit, rules),
      unit: prometheusUnit(descriptor.unit, rules),
    };
    if (cache.size < 10_000) cache.set(key, translated);
  }
  return { ...metric, descriptor: { ...descriptor, ...translated } } as MetricData;
}
