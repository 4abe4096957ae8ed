import type { Attributes as OtelAttributes } from '@opentelemetry/api';
import {
  type CollectionResult,
  type DataPoint,
  DataPointType,
  type Histogram,
  type MetricCollectOptions,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import { type ExemplarCarrier, mergeExemplars } from '../exemplars/types.js';
import { prometheusSafeAttributes, prometheusSampleNames } from '../internal/prometheus-names.js';
import {
  type PrometheusNamingKind,
  prometheusMetricName,
  prometheusUnit,
} from '../internal/prometheus-units.js';

/**
 * Wraps a producer for the Prometheus reader only: attribute keys become valid, distinct
 * Prometheus labels (see `prometheusLabelName`), and points of one metric that end up with the
 * same labels become one series (sums and histograms add up, a gauge keeps its last point, as
 * the bridge's own aggregation of series that share attributes does), so
 * any attribute a metric produces still yields a `/metrics` body Prometheus accepts. Metric names
 * follow OpenTelemetry's Prometheus compatibility rules (unit suffix, `_total`; see
 * `prometheusMetricName`) and the unit becomes its Prometheus word, so the exporter prints
 * `docs_document_save_duration_seconds` with `# UNIT ... seconds`. OTLP readers keep the original
 * names and keys.
 */
export function prometheusLabels(
  producer: MetricProducer,
  naming: 'opentelemetry' | 'unsuffixed' = 'opentelemetry',
): MetricProducer {
  // The earlier names: sanitised, `_total` on counters, no unit suffix (the unit only in # UNIT).
  const suffixes = naming === 'opentelemetry';
  const cache = new Map<string, string>();
  const names = new Map<string, { name: string; unit: string }>();
  return {
    async collect(options?: MetricCollectOptions): Promise<CollectionResult> {
      const result = await producer.collect(options);
      // Wiring refuses clashing names (NameGuard); a metric added to a recorder after attach is
      // not seen there, so a clash that still reaches a collection is dropped and reported here
      // rather than printed as a second HELP/TYPE family.
      const printedBy = new Map<string, string>();
      const errors = [...result.errors];
      for (const scope of result.resourceMetrics.scopeMetrics) {
        const kept: MetricData[] = [];
        for (const metric of scope.metrics) {
          const name = metric.descriptor.name;
          const kind = exportKind(metric);
          const samples = prometheusSampleNames(name, kind, suffixes ? metric.descriptor.unit : '');
          const clash = samples.find((sample) => {
            const owner = printedBy.get(sample);
            return owner !== undefined && owner !== name;
          });
          if (clash !== undefined) {
            errors.push(
              new Error(
                `otel-bridge: metric "${name}" would print the Prometheus series "${clash}" that "${printedBy.get(clash)}" already prints; it is left out of /metrics. Rename one of them.`,
              ),
            );
            continue;
          }
          for (const sample of samples) printedBy.set(sample, name);
          const relabelled = relabel(metric, cache);
          kept.push(suffixes ? renamed(relabelled, kind, names) : relabelled);
        }
        scope.metrics = kept;
      }
      return { ...result, errors };
    },
  };
}

/** The metric under its Prometheus name and unit word (translations cached by name, unit and kind). */
function renamed(
  metric: MetricData,
  kind: PrometheusNamingKind,
  names: Map<string, { name: string; unit: string }>,
): MetricData {
  const { descriptor } = metric;
  const key = `${kind}\u0000${descriptor.unit}\u0000${descriptor.name}`;
  let translated = names.get(key);
  if (translated === undefined) {
    translated = {
      name: prometheusMetricName(descriptor.name, descriptor.unit, kind),
      unit: prometheusUnit(descriptor.unit, kind),
    };
    if (names.size < 10_000) names.set(key, translated);
  }
  return { ...metric, descriptor: { ...descriptor, ...translated } } as MetricData;
}

/** How a metric prints: monotonic sums are counters, histograms histograms, the rest gauges. */
export function exportKind(metric: MetricData): PrometheusNamingKind {
  if (metric.dataPointType === DataPointType.HISTOGRAM) return 'histogram';
  if (metric.dataPointType === DataPointType.SUM && metric.isMonotonic) return 'counter';
  return 'gauge';
}

type AnyPoint = DataPoint<number | Histogram>;

function relabel(metric: MetricData, cache: Map<string, string>): MetricData {
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
    out[at] = merge(metric.dataPointType, out[at] as AnyPoint, point);
  }
  return changed ? ({ ...metric, dataPoints: out } as MetricData) : metric;
}

function identity(attributes: OtelAttributes): string {
  let id = '';
  for (const key of Object.keys(attributes).sort())
    id += `${key}\u0000${String(attributes[key])}\u0000`;
  return id;
}

function merge(type: DataPointType, into: AnyPoint, point: AnyPoint): AnyPoint {
  const merged = mergeValues(type, into, point);
  const exemplars = mergeExemplars(
    (into as ExemplarCarrier).exemplars,
    (point as ExemplarCarrier).exemplars,
    type === DataPointType.HISTOGRAM,
  );
  return exemplars === undefined ? merged : ({ ...merged, exemplars } as AnyPoint);
}

function mergeValues(type: DataPointType, into: AnyPoint, point: AnyPoint): AnyPoint {
  if (type === DataPointType.SUM) {
    return { ...into, value: (into.value as number) + (point.value as number) };
  }
  if (type !== DataPointType.HISTOGRAM) return { ...into, value: point.value }; // a gauge: the last point
  const a = into.value as Histogram;
  const b = point.value as Histogram;
  if (a.buckets.counts.length !== b.buckets.counts.length) return into;
  const value: Histogram = {
    buckets: {
      boundaries: a.buckets.boundaries,
      counts: a.buckets.counts.map((count, i) => count + (b.buckets.counts[i] ?? 0)),
    },
    count: a.count + b.count,
    sum: (a.sum ?? 0) + (b.sum ?? 0),
  };
  const min = Math.min(a.min ?? Number.POSITIVE_INFINITY, b.min ?? Number.POSITIVE_INFINITY);
  const max = Math.max(a.max ?? Number.NEGATIVE_INFINITY, b.max ?? Number.NEGATIVE_INFINITY);
  if (Number.isFinite(min)) value.min = min;
  if (Number.isFinite(max)) value.max = max;
  return { ...into, value };
}
