import type { HrTime } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type AggregationTemporalitySelector,
  type DataPoint,
  InstrumentType,
  type MetricData,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import type { ExemplarCarrier } from '../exemplars/types.js';
import { type MirroredValue, shapeOf } from '../kinds/index.js';
import { attributesKey } from '../mirror/merge.js';
import { STREAM_RULES } from './shape-streams.js';

type Point = DataPoint<MirroredValue> & ExemplarCarrier;

/** What one series was at the reader's previous collection. */
interface Previous {
  readonly startTime: HrTime;
  readonly value: MirroredValue;
}

const ALL_TYPES = Object.values(InstrumentType) as InstrumentType[];

/**
 * One reader's temporality over the producer's cumulative data. A stream its selector wants as
 * delta goes out as the change since this reader's previous collection, from the cumulative
 * values that collection saw (kept here, per reader, so readers of one producer never disturb
 * each other): start time the previous collection's end (or the series' own start when it is
 * new since then, or restarted), only series that changed, a series that went back (restarted)
 * as its new cumulative value. Cumulative streams pass through untouched and keep no state.
 */
export class ReaderTemporality {
  private previous = new Map<string, Map<string, Previous>>();
  private lastEnd: HrTime | undefined;
  private deltaTypes: ReadonlySet<InstrumentType> | undefined;

  /** `select` is first asked at the first collection (a reader built after this may answer). */
  constructor(private readonly select: AggregationTemporalitySelector) {}

  /** The collection as this reader wants it; `endTime` is the collection's time. */
  apply(scopes: readonly ScopeMetrics[], endTime: HrTime): ScopeMetrics[] {
    // sdk-metrics asks once per instrument and keeps the answer; a selector answers by type alone.
    this.deltaTypes ??= new Set(
      ALL_TYPES.filter((type) => this.select(type) === AggregationTemporality.DELTA),
    );
    if (this.deltaTypes.size === 0) return scopes as ScopeMetrics[];
    const next = new Map<string, Map<string, Previous>>();
    const out: ScopeMetrics[] = [];
    for (const scope of scopes) {
      const metrics: MetricData[] = [];
      for (const metric of scope.metrics) {
        const shape = shapeOf(metric);
        const rules = shape === undefined ? undefined : STREAM_RULES.get(shape);
        if (rules === undefined || !this.deltaTypes.has(rules.instrumentType)) {
          metrics.push(metric);
          continue;
        }
        const key = `${scope.scope.name}\u0000${metric.descriptor.name}\u0000${metric.dataPointType}`;
        const before = this.previous.get(key);
        const seen = new Map<string, Previous>();
        next.set(key, seen);
        const points: Point[] = [];
        for (const point of metric.dataPoints as Point[]) {
          const id = attributesKey(point.attributes);
          seen.set(id, { startTime: point.startTime, value: point.value });
          const last = before?.get(id);
          if (last !== undefined && !later(point.startTime, last.startTime)) {
            const delta = rules.delta(point.value, last.value);
            if (delta === null) continue;
            if (delta !== undefined) {
              points.push({ ...point, startTime: this.lastEnd ?? last.startTime, value: delta });
              continue;
            }
          }
          // New since the previous collection, or restarted: the cumulative value is the
          // interval's, from the series' start or the previous collection, whichever is later.
          if (rules.empty(point.value)) continue;
          const start =
            last === undefined && this.lastEnd !== undefined && later(this.lastEnd, point.startTime)
              ? this.lastEnd
              : point.startTime;
          points.push(start === point.startTime ? point : { ...point, startTime: start });
        }
        // As sdk-metrics: a stream with nothing recorded in the interval is left out.
        if (points.length === 0) continue;
        metrics.push({
          ...metric,
          aggregationTemporality: AggregationTemporality.DELTA,
          dataPoints: points,
        } as MetricData);
      }
      if (metrics.length > 0) out.push({ scope: scope.scope, metrics });
    }
    // Series and streams gone from this collection are forgotten: back later, they start anew.
    this.previous = next;
    this.lastEnd = endTime;
    return out;
  }
}

function later(a: HrTime, b: HrTime): boolean {
  return a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
}
