import { describeMetric, type Metric, type MetricChange } from '@mvx-metrics/core';
import type { Attributes as OtelAttributes } from '@opentelemetry/api';
import { adapterFor } from '../kinds/index.js';
import type { ExemplarReservoir } from './reservoir.js';
import type { BridgeExemplar } from './types.js';

const NO_ATTRIBUTES: object = Object.freeze({});

/** The reservoir a metric's kind keeps per series (its adapter decides), or none. */
function reservoirFactory(metric: Metric): (() => ExemplarReservoir) | undefined {
  try {
    const descriptor = describeMetric(metric);
    return adapterFor(descriptor).exemplarReservoir(descriptor);
  } catch {
    return undefined; // a snapshot() that throws is reported at collection
  }
}

/** A series' identity: its attributes but `skip` (the recorder attribute), sorted, values as strings. */
function seriesKey(attributes: OtelAttributes, skip: string | undefined): string {
  const keys = Object.keys(attributes).sort();
  let key = '';
  for (const name of keys) {
    if (name === skip) continue;
    const value = attributes[name];
    if (value === undefined || value === null) continue;
    key += `${name}\u0000${typeof value === 'string' ? value : JSON.stringify(value)}\u0000`;
  }
  return key;
}

/** The reservoirs of one metric, by point. */
export class MetricExemplars {
  // By the point's attributes object (core keeps one per point), so the hook hashes nothing.
  private readonly byPoint = new Map<object, ExemplarReservoir>();
  private readonly byKey = new Map<string, ExemplarReservoir>();
  // Exported attribute objects are cached with the mirror's views: each is keyed once.
  private readonly byExported = new WeakMap<object, ExemplarReservoir>();
  private readonly missing = new WeakMap<object, number>();

  constructor(private readonly create: () => ExemplarReservoir) {}

  offer(attributes: object | undefined, exemplar: BridgeExemplar): void {
    const point = attributes ?? NO_ATTRIBUTES;
    let reservoir = this.byPoint.get(point);
    if (reservoir === undefined) {
      reservoir = this.create();
      this.byPoint.set(point, reservoir);
      this.byKey.set(seriesKey(point as OtelAttributes, undefined), reservoir);
    }
    reservoir.offer(exemplar);
  }

  /** The exemplars of the exported point with `attributes`, leaving out the recorder attribute `skip`. */
  collect(
    attributes: OtelAttributes,
    skip: string | undefined,
  ): ReturnType<ExemplarReservoir['collect']> {
    const size = this.byKey.size;
    if (size === 0) return undefined;
    let reservoir = this.byExported.get(attributes);
    if (reservoir === undefined) {
      // No reservoir yet for this series: look again only once reservoirs were added.
      if (this.missing.get(attributes) === size) return undefined;
      reservoir = this.byKey.get(seriesKey(attributes, skip));
      if (reservoir === undefined) {
        this.missing.set(attributes, size);
        return undefined;
      }
      this.byExported.set(attributes, reservoir);
    }
    return reservoir.collect();
  }
}

/** Exemplars of one recorder's metrics, fed by the post-change hook, read at collection. */
export class RecorderExemplars {
  private readonly metrics = new Map<Metric, MetricExemplars | null>();
  private lastMetric: Metric | undefined;
  private lastEntry: MetricExemplars | null = null;

  /** O(1) per sampled measurement: one Map lookup per metric (skipped for runs of one metric) and one per point. */
  offer(change: MetricChange, exemplar: BridgeExemplar): void {
    const metric = change.metric;
    let entry: MetricExemplars | null | undefined;
    if (metric === this.lastMetric) {
      entry = this.lastEntry;
    } else {
      entry = this.metrics.get(metric);
      if (entry === undefined) {
        const create = reservoirFactory(metric);
        entry = create === undefined ? null : new MetricExemplars(create);
        this.metrics.set(metric, entry);
      }
      this.lastMetric = metric;
      this.lastEntry = entry;
    }
    entry?.offer(change.attributes, exemplar);
  }

  /** Whether `metric` (with a value just applied) keeps exemplars at all. */
  forMetric(metric: Metric): MetricExemplars | undefined {
    return this.metrics.get(metric) ?? undefined;
  }
}
