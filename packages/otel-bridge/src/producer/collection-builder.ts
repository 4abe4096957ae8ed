import { type HrTime, type Attributes as OtelAttributes, ValueType } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type DataPoint,
  DataPointType,
  type MetricData,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import type { MirroredHistogram, MirroredMetric } from '../mirror/types.js';
import type { SelfInstrument } from '../telemetry/self-telemetry.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Building = Mutable<MetricData> & { dataPoints: DataPoint<number | MirroredHistogram>[] };

/**
 * Gathers one collection's metric data, grouped by scope (= namespace) and instrument name, so
 * the same metric of many recorders becomes one metric whose points differ by the recorder
 * attribute.
 */
export class CollectionBuilder {
  readonly errors: unknown[] = [];
  private readonly scopes = new Map<string, Map<string, Building>>();
  private readonly kinds = new Map<Building, MirroredMetric['kind']>();

  constructor(readonly endTime: HrTime) {}

  /** Adds the points of one mirrored metric. */
  addMetric(scope: string, view: MirroredMetric): void {
    const data = this.metric(scope, view.instrumentName, view.unit, view.description, view.kind);
    if (data === undefined) return;
    const { startTime } = view;
    const endTime = this.endTime;
    const points = data.dataPoints;
    for (const point of view.points) {
      points.push({ startTime, endTime, attributes: point.attributes, value: point.value });
    }
  }

  /** Adds one self-telemetry point. */
  addSelf(
    scope: string,
    instrument: SelfInstrument,
    startTime: HrTime,
    attributes: OtelAttributes,
    value: number,
  ): void {
    const kind = instrument.monotonic ? 'counter' : 'upDownCounter';
    const data = this.metric(scope, instrument.name, instrument.unit, instrument.description, kind);
    data?.dataPoints.push({ startTime, endTime: this.endTime, attributes, value });
  }

  /** The scopes gathered so far, in first-seen order. */
  scopeMetrics(): ScopeMetrics[] {
    const out: ScopeMetrics[] = [];
    for (const [name, metrics] of this.scopes) {
      out.push({ scope: { name }, metrics: [...metrics.values()] as MetricData[] });
    }
    return out;
  }

  private metric(
    scope: string,
    name: string,
    unit: string,
    description: string,
    kind: MirroredMetric['kind'],
  ): Building | undefined {
    let metrics = this.scopes.get(scope);
    if (metrics === undefined) {
      metrics = new Map();
      this.scopes.set(scope, metrics);
    }
    const found = metrics.get(name);
    if (found !== undefined) {
      if (this.kinds.get(found) === kind) return found;
      this.errors.push(
        new Error(
          `otel-bridge: metric "${name}" is reported as ${kind} by one recorder and differently by another; the later points are not exported. Give metrics of different kinds different names.`,
        ),
      );
      return undefined;
    }
    const type = dataPointType(kind);
    const descriptor = { name, unit, description, valueType: ValueType.DOUBLE };
    const base = {
      descriptor,
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPoints: [],
    };
    const created = (
      type === DataPointType.SUM
        ? { ...base, dataPointType: type, isMonotonic: kind === 'counter' }
        : { ...base, dataPointType: type }
    ) as Building;
    metrics.set(name, created);
    this.kinds.set(created, kind);
    return created;
  }
}

function dataPointType(kind: MirroredMetric['kind']): DataPointType {
  switch (kind) {
    case 'counter':
    case 'upDownCounter':
      return DataPointType.SUM;
    case 'histogram':
      return DataPointType.HISTOGRAM;
    default:
      return DataPointType.GAUGE;
  }
}
