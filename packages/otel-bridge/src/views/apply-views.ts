import type { Attributes as OtelAttributes } from '@opentelemetry/api';
import type { DataPoint, MetricData, ScopeMetrics } from '@opentelemetry/sdk-metrics';
import { OtelBridgeError } from '../errors/otel-bridge-error.js';
import { type ExemplarCarrier, mergeExemplars } from '../exemplars/types.js';
import { type ExportShape, type MirroredValue, shapeOf } from '../kinds/index.js';
import { attributesKey, earliest } from '../mirror/merge.js';
import { STREAM_RULES, type StreamRules } from './shape-streams.js';
import { processAttributes, type StreamView } from './view-options.js';

type Point = {
  -readonly [K in keyof DataPoint<MirroredValue>]: DataPoint<MirroredValue>[K];
} & ExemplarCarrier;

/** The attributes of the series sdk-metrics makes of every attribute set beyond a cardinality limit. */
export const OVERFLOW_ATTRIBUTES: OtelAttributes = Object.freeze({ 'otel.metric.overflow': true });

/**
 * Applies Views to one collection's cumulative scope metrics, as sdk-metrics applies them to its
 * own instruments: a metric no View selects goes out as it is; each View that selects it makes
 * one stream (none for a drop aggregation) with the View's name and description, attribute sets
 * after its processors (points that become one set merged as their export shape merges them),
 * at most `aggregationCardinalityLimit` series (the rest merged into the `otel.metric.overflow`
 * series), and the aggregation options the cumulative state can take. `problems` gets what
 * cannot be applied, once per View and metric.
 */
export function applyViews(
  scopes: readonly ScopeMetrics[],
  views: readonly StreamView[],
  problems: ViewProblems,
): ScopeMetrics[] {
  const out: ScopeMetrics[] = [];
  for (const scope of scopes) {
    const metrics: MetricData[] = [];
    for (const metric of scope.metrics) {
      const shape = shapeOf(metric);
      const rules = shape === undefined ? undefined : STREAM_RULES.get(shape);
      if (shape === undefined || rules === undefined) {
        metrics.push(metric);
        continue;
      }
      const { name, unit } = metric.descriptor;
      let selected = false;
      for (const view of views) {
        if (!view.matches(scope.scope.name, name, unit, rules.instrumentType)) continue;
        selected = true;
        if (view.drop) continue;
        const stream = streamOf(metric, shape, rules, view, problems);
        if (stream !== undefined) metrics.push(stream);
      }
      if (!selected) metrics.push(metric);
    }
    if (metrics.length > 0) out.push({ scope: scope.scope, metrics });
  }
  return out;
}

/** Problems found while applying Views, each reported once (the producer returns them as collection errors). */
export class ViewProblems {
  private readonly seen = new Set<string>();
  errors: unknown[] = [];

  report(key: string, message: string): void {
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.errors.push(new OtelBridgeError('invalid-option', message));
  }

  /** The errors reported since the last call. */
  take(): unknown[] {
    const taken = this.errors;
    this.errors = [];
    return taken;
  }
}

function streamOf(
  metric: MetricData,
  shape: ExportShape,
  rules: StreamRules,
  view: StreamView,
  problems: ViewProblems,
): MetricData | undefined {
  const name = metric.descriptor.name;
  let convert: ((value: MirroredValue) => MirroredValue | undefined) | undefined;
  const aggregation = view.aggregation;
  if (aggregation !== undefined) {
    if (!rules.aggregations.includes(aggregation.type)) {
      problems.report(
        `aggregation:${view.index}:${name}`,
        `otel-bridge: views[${view.index}] asks for aggregation type ${aggregation.type} on "${name}", a ${shape.name}; mirrored series are aggregated by their core metric already, and another aggregation would need each measurement, which cumulative state does not keep. The stream keeps its own aggregation; give the core metric the kind you want instead.`,
      );
    } else {
      convert = rules.reaggregate?.(aggregation);
    }
  }
  let points = metric.dataPoints as Point[];
  if (view.processors !== undefined || view.cardinalityLimit !== undefined) {
    points = regroup(points, shape, view, problems, name);
  }
  if (convert !== undefined) {
    const converted: Point[] = [];
    for (const point of points) {
      const value = convert(point.value);
      if (value === undefined) {
        problems.report(
          `boundaries:${view.index}:${name}`,
          `otel-bridge: views[${view.index}] asks for bucket boundaries on "${name}" that are not a subset of the histogram's own (${JSON.stringify((point.value as { buckets?: { boundaries: number[] } }).buckets?.boundaries)}): its buckets cannot be split after the fact. The stream keeps its own boundaries; give the core histogram the boundaries you want, or a subset of them in the View.`,
        );
        converted.push(point);
      } else {
        converted.push({ ...point, value });
      }
    }
    points = converted;
  }
  const descriptor = {
    ...metric.descriptor,
    name: view.name ?? name,
    description: view.description ?? metric.descriptor.description,
  };
  return { ...metric, descriptor, dataPoints: points } as MetricData;
}

// Points by attribute set after the View's processors, merged as the shape merges two points of
// one series; beyond the cardinality limit, into the overflow series (sdk-metrics keeps
// limit - 1 sets and the overflow set).
function regroup(
  points: readonly Point[],
  shape: ExportShape,
  view: StreamView,
  problems: ViewProblems,
  name: string,
): Point[] {
  const limit =
    view.cardinalityLimit === undefined ? Number.POSITIVE_INFINITY : view.cardinalityLimit - 1;
  const index = new Map<string, Point>();
  const out: Point[] = [];
  for (const point of points) {
    let attributes =
      view.processors === undefined
        ? point.attributes
        : processAttributes(view.processors, point.attributes);
    let key = attributesKey(attributes);
    let found = index.get(key);
    if (found === undefined && index.size >= limit) {
      attributes = OVERFLOW_ATTRIBUTES;
      key = attributesKey(attributes);
      found = index.get(key);
    }
    if (found === undefined) {
      const added: Point = { ...point, attributes };
      index.set(key, added);
      out.push(added);
      continue;
    }
    const merged = shape.merge(found.value, point.value);
    if (merged === undefined) {
      problems.report(
        `merge:${view.index}:${name}`,
        `otel-bridge: views[${view.index}] makes series of "${name}" one that cannot be aggregated (different bucket boundaries, or a total beyond ±${Number.MAX_VALUE}); the first is exported.`,
      );
      continue;
    }
    found.value = merged;
    found.startTime = earliest(found.startTime, point.startTime);
    const exemplars = mergeExemplars(found.exemplars, point.exemplars);
    if (exemplars !== undefined) found.exemplars = exemplars;
  }
  return out;
}
