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
 * series), and the aggregation options the cumulative state can take. A stream whose name
 * (ignoring case), unit and instrument type equal an earlier one's of the scope is that stream,
 * as sdk-metrics shares one storage between them: its points go in through the earlier View,
 * and the longer description stays. `problems` gets what cannot be applied, once per View and
 * metric.
 */
export function applyViews(
  scopes: readonly ScopeMetrics[],
  views: readonly StreamView[],
  problems: ViewProblems,
): ScopeMetrics[] {
  const out: ScopeMetrics[] = [];
  for (const scope of scopes) {
    const metrics: Array<MetricData | Stream> = [];
    const streams = new Map<string, Stream[]>();
    for (const metric of scope.metrics) {
      const shape = shapeOf(metric);
      const rules = shape === undefined ? undefined : STREAM_RULES.get(shape);
      if (shape === undefined || rules === undefined) {
        metrics.push(metric);
        continue;
      }
      const { name, unit, description } = metric.descriptor;
      let selected = false;
      for (const view of views) {
        if (!view.matches(scope.scope.name, name, unit, rules.instrumentType)) continue;
        selected = true;
        const streamName = view.name ?? name;
        const key = streamName.toLowerCase();
        const same = streams.get(key) ?? [];
        let stream = same.find(
          (s) => s.unit === unit && s.rules.instrumentType === rules.instrumentType,
        );
        if (stream === undefined) {
          stream = new Stream(metric, shape, rules, view, problems);
          same.push(stream);
          streams.set(key, same);
          metrics.push(stream);
        } else {
          stream.describe(view.description ?? description);
        }
        stream.add(metric);
      }
      if (!selected) metrics.push(metric);
    }
    const built: MetricData[] = [];
    for (const item of metrics) {
      if (!(item instanceof Stream)) built.push(item);
      else if (!item.view.drop) built.push(item.build());
    }
    if (built.length > 0) out.push({ scope: scope.scope, metrics: built });
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

/** One stream a View makes: the points of the metrics it takes in, by attribute set after the View. */
class Stream {
  private readonly points: Point[] = [];
  private index: Map<string, Point> | undefined;
  private readonly limit: number;
  readonly unit: string;
  private description: string;

  constructor(
    private readonly metric: MetricData,
    private readonly shape: ExportShape,
    readonly rules: StreamRules,
    readonly view: StreamView,
    private readonly problems: ViewProblems,
  ) {
    this.unit = metric.descriptor.unit;
    this.description = view.description ?? metric.descriptor.description;
    // sdk-metrics keeps limit - 1 attribute sets and the overflow set.
    this.limit =
      view.cardinalityLimit === undefined ? Number.POSITIVE_INFINITY : view.cardinalityLimit - 1;
    if (view.processors !== undefined || view.cardinalityLimit !== undefined)
      this.index = new Map();
  }

  /** A later View's description for this stream: the longer one stays, as in sdk-metrics. */
  describe(description: string): void {
    if (description.length > this.description.length) this.description = description;
  }

  /** Takes in the points of one metric the View selects. */
  add(metric: MetricData): void {
    if (this.view.drop) return;
    const points = metric.dataPoints as Point[];
    if (this.index === undefined && this.points.length === 0) {
      for (const point of points) this.points.push(point);
      return;
    }
    const index = this.indexed();
    const processors = this.view.processors;
    for (const point of points) {
      let attributes =
        processors === undefined
          ? point.attributes
          : processAttributes(processors, point.attributes);
      let key = attributesKey(attributes);
      let found = index.get(key);
      if (found === undefined && index.size >= this.limit) {
        attributes = OVERFLOW_ATTRIBUTES;
        key = attributesKey(attributes);
        found = index.get(key);
      }
      if (found === undefined) {
        const added: Point = { ...point, attributes };
        index.set(key, added);
        this.points.push(added);
      } else {
        this.merge(found, point, metric.descriptor.name);
      }
    }
  }

  /** The stream's metric data, with the View's aggregation options applied. */
  build(): MetricData {
    const name = this.metric.descriptor.name;
    const view = this.view;
    let points = this.points;
    const aggregation = view.aggregation;
    if (aggregation !== undefined && !this.rules.aggregations.includes(aggregation.type)) {
      this.problems.report(
        `aggregation:${view.index}:${name}`,
        `otel-bridge: views[${view.index}] asks for aggregation type ${aggregation.type} on "${name}", a ${this.shape.name}; mirrored series are aggregated by their core metric already, and another aggregation would need each measurement, which cumulative state does not keep. The stream keeps its own aggregation; give the core metric the kind you want instead.`,
      );
    } else if (aggregation !== undefined) {
      const convert = this.rules.reaggregate?.(aggregation);
      if (convert !== undefined) points = points.map((point) => this.converted(point, convert));
    }
    const descriptor = {
      ...this.metric.descriptor,
      name: view.name ?? name,
      description: this.description,
    };
    return { ...this.metric, descriptor, dataPoints: points } as MetricData;
  }

  private converted(point: Point, convert: (value: MirroredValue) => MirroredValue | undefined) {
    const value = convert(point.value);
    if (value !== undefined) return { ...point, value };
    const view = this.view;
    const name = this.metric.descriptor.name;
    const own = (point.value as { buckets?: { boundaries: number[] } }).buckets?.boundaries;
    this.problems.report(
      `boundaries:${view.index}:${name}`,
      `otel-bridge: views[${view.index}] asks for bucket boundaries on "${name}" that are not a subset of the histogram's own (${JSON.stringify(own)}): its buckets cannot be split after the fact. The stream keeps its own boundaries; give the core histogram the boundaries you want, or a subset of them in the View.`,
    );
    return point;
  }

  // Builds the index of the points taken in so far (a second metric joins an unindexed stream).
  private indexed(): Map<string, Point> {
    if (this.index === undefined) {
      this.index = new Map();
      const taken = this.points.splice(0);
      for (const point of taken) {
        const key = attributesKey(point.attributes);
        const found = this.index.get(key);
        if (found === undefined) {
          const added: Point = { ...point };
          this.index.set(key, added);
          this.points.push(added);
        } else this.merge(found, point, this.metric.descriptor.name);
      }
    }
    return this.index;
  }

  private merge(found: Point, point: Point, name: string): void {
    const merged = this.shape.merge(found.value, point.value);
    if (merged === undefined) {
      this.problems.report(
        `merge:${this.view.index}:${name}`,
        `otel-bridge: views[${this.view.index}] makes series of "${name}" one that cannot be aggregated (different bucket boundaries, or a total beyond ±${Number.MAX_VALUE}); the first is exported.`,
      );
      return;
    }
    found.value = merged;
    found.startTime = earliest(found.startTime, point.startTime);
    const exemplars = mergeExemplars(found.exemplars, point.exemplars);
    if (exemplars !== undefined) found.exemplars = exemplars;
  }
}
