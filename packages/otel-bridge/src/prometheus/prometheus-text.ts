import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { adapterForData } from '../kinds/index.js';

/**
 * A collection as OpenTelemetry's Prometheus text serializer can print it: each metric whose kind
 * it does not know is replaced by what its adapter says it prints as (an exponential histogram as a
 * histogram of its count and sum); every other metric, and the collection when none changes, as is.
 */
export function forTextSerializer(resourceMetrics: ResourceMetrics): ResourceMetrics {
  let changed = false;
  const scopeMetrics = resourceMetrics.scopeMetrics.map((scope) => {
    let scopeChanged = false;
    const metrics = scope.metrics.map((metric) => {
      const text = adapterForData(metric)?.prometheusText;
      if (text === undefined) return metric;
      scopeChanged = true;
      return text(metric);
    });
    if (!scopeChanged) return scope;
    changed = true;
    return { ...scope, metrics };
  });
  return changed ? { ...resourceMetrics, scopeMetrics } : resourceMetrics;
}
