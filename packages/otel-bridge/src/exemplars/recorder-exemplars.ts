import type { Metric, MetricChange } from '@mvx-metrics/core';
import type { Attributes as OtelAttributes } from '@opentelemetry/api';
import { attributeValueKey, lengthPrefixed } from '../internal/attribute-identity.js';
import type { ExemplarReservoir } from './reservoir.js';
import type { BridgeExemplar } from './types.js';

const NO_ATTRIBUTES: object = Object.freeze({});

/**
 * A series' identity: its attributes but `skip` (the recorder attribute), sorted, each value keyed
 * with its type as the mirror keys it (`200` and `'200'` are two series over OTLP, each with its
 * exemplars; `NaN` and `Infinity` too, which JSON would both write `null`).
 */
function seriesKey(attributes: OtelAttributes, skip: string | undefined): string {
  const keys = Object.keys(attributes).sort();
  let key = '';
  for (const name of keys) {
    if (name === skip) continue;
    const value = attributes[name];
    if (value === undefined || value === null) continue;
    key += `${lengthPrefixed(name)}${attributeValueKey(value)}`;
  }
  return key;
}

/** One series' reservoir and the last collection that exported (or created) it. */
interface Slot {
  readonly key: string;
  readonly reservoir: ExemplarReservoir;
  seen: number;
  /** False once swept: a cached reference then looks the series up again. */
  live: boolean;
}

/**
 * The reservoirs of one metric, one per series. Memory is bounded by the series a collection
 * exports (plus those offered since), whatever attribute objects the metric hands over: reservoirs
 * are keyed by the series' normalised attributes, object identities are only a weak cache, and a
 * series no collection exported for a whole round is swept ({@link sweep}).
 */
export class MetricExemplars {
  // By the point's attributes object (a built-in metric keeps one per point), so the hook usually
  // hashes nothing; weak, so a fresh object per event (a hand-written metric's) is collected.
  private readonly byPoint = new WeakMap<object, Slot>();
  private readonly byKey = new Map<string, Slot>();
  // Exported attribute objects are cached with the mirror's views: each is keyed once.
  private readonly byExported = new WeakMap<object, Slot>();
  private readonly missing = new WeakMap<object, number>();
  // The collection under way (or next); a reservoir created or exported since the last sweep carries it.
  private collection = 0;
  // Changes whenever reservoirs are added or swept: a cached "no reservoir" is then stale.
  private version = 0;

  constructor(private readonly create: () => ExemplarReservoir) {}

  offer(attributes: object | undefined, exemplar: BridgeExemplar): void {
    const point = attributes ?? NO_ATTRIBUTES;
    let slot = this.byPoint.get(point);
    if (slot === undefined || !slot.live) {
      const key = seriesKey(point as OtelAttributes, undefined);
      slot = this.byKey.get(key);
      if (slot === undefined) {
        slot = { key, reservoir: this.create(), seen: this.collection, live: true };
        this.byKey.set(key, slot);
        this.version++;
      }
      this.byPoint.set(point, slot);
    }
    slot.reservoir.offer(exemplar);
  }

  /** The exemplars of the exported point with `attributes`, leaving out the recorder attribute `skip`. */
  collect(
    attributes: OtelAttributes,
    skip: string | undefined,
  ): ReturnType<ExemplarReservoir['collect']> {
    if (this.byKey.size === 0) return undefined;
    let slot = this.byExported.get(attributes);
    if (slot === undefined || !slot.live) {
      // No reservoir yet for this series: look again only once reservoirs were added.
      if (this.missing.get(attributes) === this.version) return undefined;
      slot = this.byKey.get(seriesKey(attributes, skip));
      if (slot === undefined) {
        this.missing.set(attributes, this.version);
        return undefined;
      }
      this.byExported.set(attributes, slot);
    }
    slot.seen = this.collection;
    return slot.reservoir.collect();
  }

  /**
   * Ends a collection of this metric: reservoirs of series it did not export, and that were not
   * created since the previous one, are dropped (their series no longer exists).
   */
  sweep(): void {
    // Created since the previous sweep, or exported now: `seen` is this collection's number.
    for (const slot of this.byKey.values()) {
      if (slot.seen >= this.collection) continue;
      slot.live = false;
      this.byKey.delete(slot.key);
      this.version++;
    }
    this.collection++;
  }

  /** How many series keep a reservoir (tests). */
  get size(): number {
    return this.byKey.size;
  }
}

/**
 * The reservoir a metric keeps per series (its kind's adapter decides), or `undefined` for none.
 * Given by the attachment, which knows the kinds: this folder sits below them.
 */
export type ReservoirFor = (metric: Metric) => (() => ExemplarReservoir) | undefined;

/** Exemplars of one recorder's metrics, fed by the post-change hook, read at collection. */
export class RecorderExemplars {
  private readonly metrics = new Map<Metric, MetricExemplars | null>();
  private lastMetric: Metric | undefined;
  private lastEntry: MetricExemplars | null = null;

  constructor(private readonly reservoirFor: ReservoirFor) {}

  /** O(1) per sampled measurement: one Map lookup per metric (skipped for runs of one metric) and one per point. */
  offer(change: MetricChange, exemplar: BridgeExemplar): void {
    const metric = change.metric;
    let entry: MetricExemplars | null | undefined;
    if (metric === this.lastMetric) {
      entry = this.lastEntry;
    } else {
      entry = this.metrics.get(metric);
      if (entry === undefined) {
        const create = this.reservoirFor(metric);
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
