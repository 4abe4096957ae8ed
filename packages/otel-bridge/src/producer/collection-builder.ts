import type { HrTime, Attributes as OtelAttributes } from '@opentelemetry/api';
import type { DataPoint, MetricData, ScopeMetrics } from '@opentelemetry/sdk-metrics';
import { OtelBridgeError } from '../errors/otel-bridge-error.js';
import type { MetricExemplars } from '../exemplars/recorder-exemplars.js';
import { type ExemplarCarrier, mergeExemplars } from '../exemplars/types.js';
import type { Reporter } from '../internal/report.js';
import { type KindAdapter, sameKind, sumAdapter } from '../kinds/index.js';
import { attributesKey, earliest } from '../mirror/merge.js';
import type { MirroredMetric, MirroredValue } from '../mirror/types.js';
import type { SelfInstrument } from '../telemetry/self-telemetry.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Point = Mutable<DataPoint<MirroredValue>> & ExemplarCarrier;
type Building = Mutable<MetricData> & { dataPoints: Point[] };

/** What the builder knows about one metric while gathering it. */
interface BuildState {
  readonly adapter: KindAdapter;
  /** Key of the recorder attribute of the views added so far (`null`: none yet; `undefined`: off). */
  ownerKey: string | undefined | null;
  /** Recorder names of the views added so far (one view per recorder keeps points apart). */
  readonly owners: Set<string>;
  /** Points by attribute identity, once points of this metric can collide; then points are merged. */
  index: Map<string, Point> | undefined;
}

/**
 * Gathers one collection's metric data, grouped by scope (= namespace) and instrument name, so
 * the same metric of many recorders becomes one metric whose points differ by the recorder
 * attribute. Where points can share an attribute set (recorder attribute off and several
 * recorders, or a point's own attribute overwritten by the recorder attribute), they are
 * aggregated into one by the kind's adapter (sums added, histograms merged, the gauge value
 * added last kept), with the earliest start time. Otherwise points are pushed as they are,
 * without hashing attributes.
 */
export class CollectionBuilder {
  readonly errors: unknown[] = [];
  private readonly scopes = new Map<string, Map<string, Building>>();
  private readonly states = new Map<Building, BuildState>();
  private readonly selfPoints = new Map<Building, Map<string, Point>>();

  constructor(readonly endTime: HrTime) {}

  /**
   * Adds the points of one mirrored metric; `reporter` receives merge problems (else
   * {@link errors}); `exemplars`, when the metric keeps any, go onto its points.
   */
  addMetric(
    scope: string,
    view: MirroredMetric,
    reporter?: Reporter,
    exemplars?: MetricExemplars,
  ): void {
    const data = this.metric(scope, view.instrumentName, view.unit, view.description, view.adapter);
    if (data === undefined) return;
    const state = this.states.get(data) as BuildState;
    if (state.index === undefined && !this.noteOwner(state, view)) {
      const { startTime } = view;
      const endTime = this.endTime;
      const points = data.dataPoints;
      if (view.fresh === true && view.points.length > 0 && sameTimes(view, this.endTime)) {
        // Made for this collection as data points, kept by nobody: taken as they are.
        for (const point of view.points as Point[]) {
          if (exemplars !== undefined) withExemplars(point, exemplars, view);
          points.push(point);
        }
        exemplars?.sweep();
        return;
      }
      for (const point of view.points) {
        const added: Point = {
          startTime,
          endTime,
          attributes: point.attributes,
          value: point.value,
        };
        if (exemplars !== undefined) withExemplars(added, exemplars, view);
        points.push(added);
      }
      exemplars?.sweep();
      return;
    }
    if (state.index === undefined) {
      // First possible collision: index (and merge) what was pushed so far.
      state.index = new Map();
      const pushed = data.dataPoints.splice(0) as Point[];
      for (const point of pushed) this.merge(data, state, point, reporter);
    }
    for (const point of view.points) {
      const added: Point = {
        startTime: view.startTime,
        endTime: this.endTime,
        attributes: point.attributes,
        value: point.value,
      };
      if (exemplars !== undefined) withExemplars(added, exemplars, view);
      this.merge(data, state, added, reporter);
    }
    exemplars?.sweep();
  }

  /** Adds one self-telemetry point. */
  addSelf(
    scope: string,
    instrument: SelfInstrument,
    startTime: HrTime,
    attributes: OtelAttributes,
    value: number,
  ): void {
    const adapter = sumAdapter(instrument.monotonic) as KindAdapter;
    const data = this.metric(
      scope,
      instrument.name,
      instrument.unit,
      instrument.description,
      adapter,
    );
    if (data === undefined) return;
    // Two runtimes of one namespace with a recorder of the same name share these attributes:
    // one point, as /metrics shows it, never two identical OTLP points.
    const key = attributesKey(attributes);
    let index = this.selfPoints.get(data);
    if (index === undefined) {
      index = new Map();
      this.selfPoints.set(data, index);
    }
    const found = index.get(key);
    if (found !== undefined) {
      found.value = (found.value as number) + value;
      found.startTime = earliest(found.startTime, startTime);
      return;
    }
    const point: Point = { startTime, endTime: this.endTime, attributes, value };
    index.set(key, point);
    data.dataPoints.push(point);
  }

  /** The scopes gathered so far, in first-seen order. */
  scopeMetrics(): ScopeMetrics[] {
    const out: ScopeMetrics[] = [];
    for (const [name, metrics] of this.scopes) {
      out.push({ scope: { name }, metrics: [...metrics.values()] as MetricData[] });
    }
    return out;
  }

  // Notes the view's recorder attribute; true when its points may share an attribute set with points
  // added before: both views lack a recorder attribute, or carry the same one (one recorder name in
  // two runtimes of one namespace), or the keys differ; or the view's own points overlap.
  private noteOwner(state: BuildState, view: MirroredMetric): boolean {
    const owner = view.owner;
    const first = state.ownerKey === null;
    if (first) state.ownerKey = owner?.key;
    if (owner !== undefined) {
      const seen = state.owners.size;
      state.owners.add(owner.value);
      if (state.owners.size === seen || owner.key !== state.ownerKey) return true;
    } else if (!first) {
      return true;
    }
    return view.overlapping;
  }

  private merge(
    data: Building,
    state: BuildState,
    point: Point,
    reporter: Reporter | undefined,
  ): void {
    const index = state.index as Map<string, Point>;
    const key = attributesKey(point.attributes);
    const found = index.get(key);
    if (found === undefined) {
      index.set(key, point);
      data.dataPoints.push(point);
      return;
    }
    const merged = state.adapter.merge(found.value, point.value);
    if (merged !== undefined) {
      found.value = merged;
      found.startTime = earliest(found.startTime, point.startTime);
      const exemplars = mergeExemplars(found.exemplars, point.exemplars);
      if (exemplars !== undefined) found.exemplars = exemplars;
      return;
    }
    const name = data.descriptor.name;
    const message = `otel-bridge: ${state.adapter.kind} "${name}" has series with the same attributes that cannot be aggregated (different bucket boundaries, or a total beyond ±${Number.MAX_VALUE}) in two recorders; the first is exported. Give the metric the same buckets everywhere, or keep the recorder attribute on.`;
    if (reporter === undefined) this.errors.push(new OtelBridgeError('merge-conflict', message));
    else reporter.once(`boundaries:${name}`, 'merge-conflict', message);
  }

  private metric(
    scope: string,
    name: string,
    unit: string,
    description: string,
    adapter: KindAdapter,
  ): Building | undefined {
    let metrics = this.scopes.get(scope);
    if (metrics === undefined) {
      metrics = new Map();
      this.scopes.set(scope, metrics);
    }
    const found = metrics.get(name);
    if (found !== undefined) {
      const state = this.states.get(found);
      if (state !== undefined && sameKind(state.adapter, adapter)) return found;
      this.errors.push(
        new OtelBridgeError(
          'name-clash',
          `otel-bridge: metric "${name}" is reported as ${adapter.kind} by one recorder and differently by another; the later points are not exported. Give metrics of different kinds different names.`,
        ),
      );
      return undefined;
    }
    const created = adapter.metricData({ name, unit, description }) as Building;
    metrics.set(name, created);
    this.states.set(created, { adapter, ownerKey: null, owners: new Set(), index: undefined });
    return created;
  }
}

// A fresh view's points carry the view's start time and this collection's end time (checked on
// the first: a view made for another collection is copied as any other).
function sameTimes(view: MirroredMetric, endTime: HrTime): boolean {
  const first = view.points[0] as Partial<Point>;
  return first.endTime === endTime && first.startTime === view.startTime;
}

function withExemplars(point: Point, exemplars: MetricExemplars, view: MirroredMetric): void {
  const kept = exemplars.collect(point.attributes, view.owner?.key);
  if (kept !== undefined) point.exemplars = kept;
}
