import type { Metric, MetricsRecorder } from '@mvx-metrics/core';
import type { HrTime, Attributes as OtelAttributes } from '@opentelemetry/api';
import type { Reporter } from '../internal/report.js';
import { convertSnapshot } from './convert.js';
import type { MirroredMetric, SeriesOwner } from './types.js';

/** The mirror's record of one metric: a dirty flag set by the hook, the converted view read at collection. */
export interface MetricEntry {
  readonly metric: Metric;
  dirty: boolean;
  view: MirroredMetric | undefined;
  /** Instruments path: the observable instrument that mirrors this metric (not histograms). */
  observable: unknown;
  /** Instruments path: the sync histogram this metric's observations go to, or a "not one" marker. */
  histogram: unknown;
}

/** Called for every metric of a recorder at collection; `refreshed` says whether its view was rebuilt. */
export type EntryVisitor = (entry: MetricEntry, view: MirroredMetric, refreshed: boolean) => void;

/**
 * The bridge's mirror of one recorder. The post-change hook only flips a flag ({@link markDirty});
 * collections rebuild the views of dirty metrics from their snapshots and reuse the others.
 */
export class RecorderMirror {
  /** Attributes added to every point of this recorder (the recorder attribute, or none). */
  readonly extraAttributes: OtelAttributes;
  /** The recorder attribute as key and value, or `undefined` when it is off. */
  readonly owner: SeriesOwner | undefined;
  private readonly entries = new Map<Metric, MetricEntry>();
  private failedSeen: number;
  private lastMetric: Metric | undefined;
  private lastEntry: MetricEntry | undefined;

  constructor(
    readonly recorder: MetricsRecorder,
    private readonly namespace: string,
    recorderAttribute: string | false,
    /** Start of the cumulative series of this recorder's metrics. */
    readonly startTime: HrTime,
    private readonly reporter: Reporter,
  ) {
    this.owner =
      recorderAttribute === false
        ? undefined
        : Object.freeze({ key: recorderAttribute, value: recorder.name });
    this.extraAttributes =
      recorderAttribute === false ? {} : Object.freeze({ [recorderAttribute]: recorder.name });
    this.failedSeen = recorder.stats().failed;
  }

  /** The entry of `metric`, created (dirty) on first sight. */
  entry(metric: Metric): MetricEntry {
    let entry = this.entries.get(metric);
    if (entry === undefined) {
      entry = { metric, dirty: true, view: undefined, observable: undefined, histogram: undefined };
      this.entries.set(metric, entry);
    }
    return entry;
  }

  /** O(1): the hook's whole job for the mirror. Unknown metrics are picked up (dirty) at the next read. */
  markDirty(metric: Metric): void {
    // Runs of events for the same metric are the common case: skip the Map lookup for them.
    if (metric === this.lastMetric) {
      (this.lastEntry as MetricEntry).dirty = true;
      return;
    }
    const entry = this.entries.get(metric);
    if (entry === undefined) return;
    entry.dirty = true;
    this.lastMetric = metric;
    this.lastEntry = entry;
  }

  /** Marks every known metric dirty, so the next read reports all of them. */
  markAllDirty(): void {
    for (const entry of this.entries.values()) entry.dirty = true;
  }

  /** Visits every metric in recorder order (except `skip`ped ones), rebuilding the views of those that changed. */
  forEach(visit: EntryVisitor, skip?: (entry: MetricEntry) => boolean): void {
    // A metric that threw mid-update may have changed state without firing the hook: re-read all.
    const failed = this.recorder.stats().failed;
    const all = failed !== this.failedSeen;
    this.failedSeen = failed;
    for (const metric of this.recorder.getMetrics()) {
      const entry = this.entry(metric);
      if (skip?.(entry)) continue;
      let refreshed = false;
      if (entry.dirty || all || entry.view === undefined) {
        entry.dirty = false;
        const view = this.read(metric);
        if (view !== undefined) {
          entry.view = view;
          refreshed = true;
        }
      }
      if (entry.view !== undefined) visit(entry, entry.view, refreshed);
    }
  }

  private read(metric: Metric): MirroredMetric | undefined {
    let snapshot: ReturnType<Metric['snapshot']>;
    try {
      snapshot = metric.snapshot();
    } catch (error) {
      this.reporter.once(
        `snapshot:${this.recorder.name}:${metric.name}`,
        `otel-bridge: metric "${metric.name}" of recorder "${this.recorder.name}" threw from snapshot(); its last exported state is kept: ${String(error)}`,
        error,
      );
      return undefined;
    }
    const converted = convertSnapshot(snapshot, {
      namespace: this.namespace,
      name: metric.name,
      extraAttributes: this.extraAttributes,
      owner: this.owner,
      startTime: this.startTime,
    });
    if (converted.shadowed > 0 && this.owner !== undefined) {
      reportShadowed(this.reporter, converted.metric.instrumentName, this.owner.key);
    }
    if (converted.skipped > 0) {
      this.reporter.once(
        `points:${this.recorder.name}:${metric.name}`,
        `otel-bridge: metric "${metric.name}" of recorder "${this.recorder.name}" reported ${converted.skipped} point(s) that are not { attributes, value } (or histogram) points with finite numbers; they are not exported.`,
      );
    }
    return converted.metric;
  }
}

/** Reports, once per instrument, that points carry an attribute of their own under the recorder attribute's key. */
export function reportShadowed(reporter: Reporter, instrumentName: string, key: string): void {
  reporter.once(
    `shadowed:${instrumentName}`,
    `otel-bridge: metric "${instrumentName}" has points with an attribute "${key}" of their own; the bridge's recorder attribute "${key}" replaces it, and points that become identical are aggregated (sums added, histograms merged, the last gauge value kept). Rename the attribute, or set recorderAttribute to another key or false.`,
  );
}
