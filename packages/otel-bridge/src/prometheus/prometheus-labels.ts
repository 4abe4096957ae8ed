import type { Attributes as OtelAttributes } from '@opentelemetry/api';
import type {
  CollectionResult,
  DataPoint,
  ExponentialHistogram,
  Histogram,
  MetricCollectOptions,
  MetricData,
  MetricProducer,
} from '@opentelemetry/sdk-metrics';
import { OtelBridgeError } from '../errors/otel-bridge-error.js';
import { type ExemplarCarrier, mergeExemplars } from '../exemplars/types.js';
import {
  prometheusBaseName,
  prometheusLabelValue,
  prometheusSafeAttributes,
} from '../exposition/prometheus-names.js';
import { prometheusMetricName } from '../exposition/prometheus-units.js';
import { adapterForData, type ExportShape, type MirroredValue } from '../kinds/index.js';
import type { PrometheusNaming } from './prometheus-naming.js';

/**
 * Wraps a producer for the Prometheus reader only: attribute keys become valid, distinct
 * Prometheus labels (see `prometheusLabelName`), and points of one metric that end up with the
 * same labels become one series (sums and histograms add up, a gauge keeps its last point, as
 * the bridge's own aggregation of series that share attributes does), so
 * any attribute a metric produces still yields a `/metrics` body Prometheus accepts. Clashes are
 * found under the names `/metrics` prints (`naming`; the server renames, `renameForPrometheus`).
 * OTLP readers keep the original keys.
 */
export function prometheusLabels(
  producer: MetricProducer,
  naming: PrometheusNaming = 'opentelemetry',
): MetricProducer {
  const cache = new Map<string, string>();
  return {
    async collect(options?: MetricCollectOptions): Promise<CollectionResult> {
      const result = await producer.collect(options);
      // Wiring refuses clashing names (NameGuard); a metric added to a recorder after attach is
      // not seen there, so a clash that still reaches a collection is dropped and reported here
      // rather than printed as a second HELP/TYPE family.
      const printedBy = new Map<string, { name: string; scope: string }>();
      const errors = [...result.errors];
      for (const scope of result.resourceMetrics.scopeMetrics) {
        const kept: MetricData[] = [];
        for (const metric of scope.metrics) {
          const name = metric.descriptor.name;
          // The same name in two scopes is two families too: the exporter prints each scope's.
          const owner = { name, scope: scope.scope.name };
          const adapter = adapterForData(metric);
          const rules = naming === 'unsuffixed' ? undefined : adapter?.prometheusNaming;
          const base =
            rules === undefined
              ? prometheusBaseName(name)
              : prometheusMetricName(name, metric.descriptor.unit, rules);
          const samples = adapter === undefined ? [base] : adapter.prometheusSampleNames(base);
          const clash = samples.find((sample) => {
            const other = printedBy.get(sample);
            return other !== undefined && (other.name !== name || other.scope !== owner.scope);
          });
          if (clash !== undefined) {
            errors.push(
              new OtelBridgeError(
                'name-clash',
                `otel-bridge: metric "${name}" would print the Prometheus series "${clash}" that ${printedByText(printedBy.get(clash), owner.scope)} already prints; it is left out of /metrics. Rename one of them.`,
              ),
            );
            continue;
          }
          for (const sample of samples) printedBy.set(sample, owner);
          kept.push(relabel(metric, adapter, cache));
        }
        scope.metrics = kept;
      }
      return { ...result, errors };
    },
  };
}

type AnyPoint = DataPoint<number | Histogram | ExponentialHistogram>;

function relabel(
  metric: MetricData,
  adapter: ExportShape | undefined,
  cache: Map<string, string>,
): MetricData {
  const points = metric.dataPoints as AnyPoint[];
  const out: AnyPoint[] = [];
  const seen = new Map<string, number>();
  let changed = false;
  for (const point of points) {
    const attributes = prometheusSafeAttributes(point.attributes, cache);
    const id = points.length === 1 ? '' : identity(attributes);
    const at = seen.get(id);
    if (at === undefined) {
      seen.set(id, out.length);
      if (attributes === point.attributes) {
        out.push(point);
      } else {
        changed = true;
        out.push({ ...point, attributes });
      }
      continue;
    }
    changed = true;
    out[at] = merge(adapter, out[at] as AnyPoint, point);
  }
  return changed ? ({ ...metric, dataPoints: out } as MetricData) : metric;
}

// The series a point prints as: its labels' text, not its values' types (`200` and `'200'`, or
// `NaN` and `Infinity`, both printed `null`, are one series on /metrics).
function identity(attributes: OtelAttributes): string {
  let id = '';
  for (const key of Object.keys(attributes).sort())
    id += `${key}\u0000${prometheusLabelValue(attributes[key])}\u0000`;
  return id;
}

// Points that became one series merge as their export shape merges series that share attributes;
// data of a shape the bridge does not know keeps its last point, and so do values that cannot merge.
function merge(adapter: ExportShape | undefined, into: AnyPoint, point: AnyPoint): AnyPoint {
  const exemplars = mergeExemplars(
    (into as ExemplarCarrier).exemplars,
    (point as ExemplarCarrier).exemplars,
  );
  const merged = mergeValues(adapter, into, point);
  return exemplars === undefined ? merged : ({ ...merged, exemplars } as AnyPoint);
}

function mergeValues(adapter: ExportShape | undefined, into: AnyPoint, point: AnyPoint): AnyPoint {
  if (adapter === undefined) return { ...into, value: point.value };
  const value = adapter.merge(into.value as MirroredValue, point.value as MirroredValue);
  return value === undefined ? into : ({ ...into, value } as AnyPoint);
}

function printedByText(other: { name: string; scope: string } | undefined, scope: string): string {
  if (other === undefined) return 'another metric';
  return other.scope === scope ? `"${other.name}"` : `"${other.name}" of scope "${other.scope}"`;
}
