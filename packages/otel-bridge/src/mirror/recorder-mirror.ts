import {
  describeError,
  describeMetric,
  type Metric,
  type MetricChange,
  type MetricsRecorder,
} from '@mvx-metrics/core';
import type { HrTime, Attributes as OtelAttributes } from '@opentelemetry/api';
import { instrumentName } from '../internal/instrument-name.js';
import type { Reporter } from '../internal/report.js';
import { adapterFor } from '../kinds/index.js';
import { convertSnapshot, shadows, withExtra } from './convert.js';
import { type Described, MetricEntry } from './metric-entry.js';
import type { MirroredMetric, MirroredPoint, MirroredValue, SeriesOwner } from './types.js';

// Core's method that shows a built-in metric's live points (core's LIVE_POINTS), by registry key.
const LIVE_POINTS = Symbol.for('@mvx-metrics/core.live-points');
type LiveMetric = {
  [LIVE_POINTS](visit: (point: { attributes: object }, index: number) => void): boolean;
};

export { MetricEntry };

/** Called for every metric of a recorder at collection; `refreshed` says whether its view changed. */
export type EntryVisitor = (entry: MetricEntry, view: MirroredMetric, refreshed: boolean) => void;

/**
 * The bridge's mirror of one recorder. A built-in metric is read live at each collection: its
 * points are core's own, converted as they are read, and the mirror keeps only each point's
 * exported attributes (no copy of any value, no post-change hook needed). Any other metric (a
 * hand-written one) is mirrored from its snapshot: the post-change hook logs each change on its
 * entry ({@link RecorderMirror.logChange}) and a collection brings the changed points up to date.
 * The attachment subscribes its hook to every change only once the mirror has such a metric.
 */
export class RecorderMirror {
  /**
   * Whether the attachment's post-change hook sees every change and calls
   * {@link RecorderMirror.logChange}; while it does not, a metric that is not read live is
   * re-read in full (and {@link RecorderMirror.startLogging} asked for).
   */
  logging = true;
  /**
   * Called (by a collection) when a metric that is not read live is found while nothing logs:
   * the attachment then subscribes its hook to every change and sets {@link logging}.
   */
  startLogging: (() => void) | undefined;
  /** Attributes added to every point of this recorder (the recorder attribute, or none). */
  readonly extraAttributes: OtelAttributes;
  /** The recorder attribute as key and value, or `undefined` when it is off. */
  readonly owner: SeriesOwner | undefined;
  private readonly entries = new Map<Metric, MetricEntry>();
  private failedSeen: number;
  // The hook's lookup: the recorder's metrics (its array, replaced when one is added), their
  // entries by position, and the position of the last change. A recorder offers an event to its
  // metrics in this order, so the next change is nearly always the next position: no Map lookup.
  private order: readonly Metric[] = [];
  private slots: Array<MetricEntry | undefined> = [];
  private positions = new Map<Metric, number>();
  private cursor = -1;

  constructor(
    readonly recorder: MetricsRecorder,
    private readonly namespace: string,
    recorderAttribute: string | false,
    /** Start of the cumulative series of this recorder's metrics. */
    readonly startTime: HrTime,
    private readonly reporter: Reporter,
    /** The recorder's `failed` count when the mirror was made. */
    failed: number,
  ) {
    this.owner =
      recorderAttribute === false
        ? undefined
        : Object.freeze({ key: recorderAttribute, value: recorder.name });
    this.extraAttributes =
      recorderAttribute === false ? {} : Object.freeze({ [recorderAttribute]: recorder.name });
    this.failedSeen = failed;
  }

  /** The entry of `metric`, created (to be read) on first sight. */
  entry(metric: Metric): MetricEntry {
    let entry = this.entries.get(metric);
    if (entry === undefined) {
      entry = new MetricEntry(metric);
      this.entries.set(metric, entry);
      const at = this.positions.get(metric);
      if (at !== undefined) this.slots[at] = entry;
    }
    return entry;
  }

  /** The hook's whole job for the mirror, O(1). Unknown metrics are picked up at the next read. */
  logChange(change: MetricChange): void {
    const metric = change.metric;
    let at = this.cursor + 1;
    if (at >= this.order.length) at = 0;
    if (this.order[at] !== metric) {
      at = this.positionOf(metric);
      if (at < 0) return;
    }
    this.cursor = at;
    this.slots[at]?.logChange(change.attributes, change.value);
  }

  // Not the next position: the recorder may have gained a metric (its array is then a new one).
  private positionOf(metric: Metric): number {
    const metrics = this.recorder.getMetrics();
    if (metrics !== this.order) {
      this.order = metrics;
      this.positions = new Map(metrics.map((m, i) => [m, i]));
      this.slots = metrics.map((m) => this.entries.get(m));
    }
    return this.positions.get(metric) ?? -1;
  }

  /** Marks every known metric to be re-read, so the next read reports all of them. */
  markAllStale(): void {
    for (const entry of this.entries.values()) entry.stale = true;
  }

  /**
   * Visits every metric in recorder order (except `skip`ped ones), bringing changed views up to
   * date. `failed` is the recorder's current `failed` count: a metric that threw mid-update may
   * have changed state without firing the hook, so a new failure re-reads every metric.
   */
  forEach(
    visit: EntryVisitor,
    failed: number = this.failedSeen,
    skip?: (entry: MetricEntry) => boolean,
    /** A collection's end time: live metrics' points are then made as its data points (`fresh`). */
    endTime?: HrTime,
  ): void {
    const all = failed !== this.failedSeen;
    this.failedSeen = failed;
    for (const metric of this.recorder.getMetrics()) {
      const entry = this.entry(metric);
      if (skip?.(entry)) continue;
      if (entry.live !== false) {
        const view = this.readLive(entry, endTime);
        if (view !== undefined) visit(entry, view, true);
        if (entry.live === true) continue;
      }
      if (!this.logging) {
        // Read in full now; from here on its changes are logged (the hook is subscribed to
        // every change before any other event is processed).
        entry.stale = true;
        this.startLogging?.();
      }
      let refreshed = false;
      if (!(all || entry.stale || entry.view === undefined))
        refreshed = entry.applyChanges() ?? this.read(entry);
      else refreshed = this.read(entry);
      if (entry.view !== undefined) visit(entry, entry.view, refreshed);
    }
  }

  /** The kind adapter, unit and description of `entry`'s metric (`undefined` while it cannot say). */
  describe(entry: MetricEntry): Described | undefined {
    if (entry.described !== undefined) return entry.described;
    const metric = entry.metric;
    try {
      const descriptor = describeMetric(metric);
      const name = instrumentName(this.namespace, metric.name, descriptor);
      entry.described = {
        instrumentName: name,
        adapter: adapterFor({ name, kind: descriptor.kind }, this.reporter),
        unit: typeof descriptor.unit === 'string' ? descriptor.unit : '',
        description: typeof descriptor.description === 'string' ? descriptor.description : '',
        boundaries: descriptor.boundaries,
      };
    } catch (error) {
      this.reportSnapshotFailure(metric, error);
    }
    return entry.described;
  }

  /**
   * A built-in metric's current state, read from core's live points: a view made for this visit
   * and not kept. Each point's exported attributes are made the first time its index is seen and
   * kept (core never changes a point's attributes or index); each value is converted as read: a
   * number as it is, anything else (a histogram) from core's copy of the point, so exported data
   * never shares an array with core's state. `undefined` when the metric is not read live
   * (`entry.live` then says whether it ever can be) or cannot be described.
   */
  private readLive(entry: MetricEntry, endTime: HrTime | undefined): MirroredMetric | undefined {
    const metric = entry.metric as Partial<LiveMetric>;
    if (entry.live === undefined) {
      try {
        entry.live = typeof metric[LIVE_POINTS] === 'function';
      } catch {
        entry.live = false; // a hand-written metric whose property read throws
      }
    }
    if (!entry.live) return undefined;
    const described = this.describe(entry);
    if (described === undefined) return undefined;
    const { adapter } = described;
    const definition = adapter.definition;
    const exported = entry.exported;
    const extra = this.extraAttributes;
    const ownerKey = this.owner?.key;
    const startTime = this.startTime;
    const points: MirroredPoint[] = [];
    let skipped = 0;
    let shadowing = false;
    const shown = (metric as LiveMetric)[LIVE_POINTS]((point, index) => {
      let attributes = exported[index];
      if (attributes === undefined) {
        attributes = withExtra(point.attributes, extra);
        exported[index] = attributes;
        if (ownerKey !== undefined && shadows(point.attributes, ownerKey)) shadowing = true;
      }
      let value: MirroredValue | undefined = adapter.fromSnapshot(point);
      if (typeof value === 'object')
        value = adapter.fromSnapshot(definition.copyPoint(point as never));
      if (value === undefined) skipped++;
      else if (endTime === undefined) points.push({ attributes, value });
      else points.push({ startTime, endTime, attributes, value } as MirroredPoint);
    });
    if (!shown) {
      // Its snapshot() is overridden: from now on the snapshot is read instead.
      entry.live = false;
      entry.stale = true;
      exported.length = 0;
      return undefined;
    }
    const instrumentName = described.instrumentName;
    if (shadowing) {
      entry.shadowing = true;
      if (ownerKey !== undefined) reportShadowed(this.reporter, instrumentName, ownerKey);
    }
    if (skipped > 0) this.reportSkipped(entry.metric, skipped);
    return {
      instrumentName,
      adapter,
      unit: described.unit,
      description: described.description,
      startTime: this.startTime,
      points,
      owner: this.owner,
      overlapping: entry.shadowing,
      fresh: endTime !== undefined,
    };
  }

  private reportSkipped(metric: Metric, skipped: number): void {
    this.reporter.once(
      `points:${this.recorder.name}:${metric.name}`,
      'invalid-point',
      `otel-bridge: metric "${metric.name}" of recorder "${this.recorder.name}" reported ${skipped} point(s) that are not { attributes, value } (or histogram) points with finite numbers; they are not exported.`,
    );
  }

  // Re-reads the snapshot; true when the view was rebuilt.
  private read(entry: MetricEntry): boolean {
    const metric = entry.metric;
    const described = this.describe(entry);
    let snapshot: ReturnType<Metric['snapshot']> | undefined;
    if (described !== undefined) {
      try {
        snapshot = metric.snapshot();
      } catch (error) {
        this.reportSnapshotFailure(metric, error);
      }
    }
    if (described === undefined || snapshot === undefined) {
      entry.keepAfterFailedRead();
      return false;
    }
    const converted = convertSnapshot(snapshot, {
      namespace: this.namespace,
      name: metric.name,
      ...described,
      extraAttributes: this.extraAttributes,
      owner: this.owner,
      startTime: this.startTime,
    });
    if (converted.shadowed > 0 && this.owner !== undefined) {
      reportShadowed(this.reporter, converted.metric.instrumentName, this.owner.key);
    }
    if (converted.skipped > 0) this.reportSkipped(metric, converted.skipped);
    entry.replace(converted);
    return true;
  }

  private reportSnapshotFailure(metric: Metric, error: unknown): void {
    this.reporter.once(
      `snapshot:${this.recorder.name}:${metric.name}`,
      'snapshot-failed',
      `otel-bridge: metric "${metric.name}" of recorder "${this.recorder.name}" threw from snapshot(); its last exported state is kept: ${describeError(error)}`,
      error,
    );
  }
}

/** Reports, once per instrument, that points carry an attribute of their own under the recorder attribute's key. */
export function reportShadowed(reporter: Reporter, instrumentName: string, key: string): void {
  reporter.once(
    `shadowed:${instrumentName}`,
    'attribute-shadowed',
    `otel-bridge: metric "${instrumentName}" has points with an attribute "${key}" of their own; the bridge's recorder attribute "${key}" replaces it, and points that become identical are aggregated (sums added, histograms merged, the last gauge value kept). Rename the attribute, or set recorderAttribute to another key or false.`,
  );
}
