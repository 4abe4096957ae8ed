import type { Attributes, MetricChange } from '@mvx-metrics/core';
import type {
  BatchObservableResult,
  Meter,
  MeterProvider,
  Observable,
  Attributes as OtelAttributes,
} from '@opentelemetry/api';
import type { Reporter } from '../internal/report.js';
import type { KindAdapter, RecordedInstrument } from '../kinds/index.js';
import { shadows, withExtra } from '../mirror/convert.js';
import { attributesKey } from '../mirror/merge.js';
import {
  type MetricEntry,
  type RecorderMirror,
  reportShadowed,
} from '../mirror/recorder-mirror.js';
import type { ReadingSource } from '../mirror/recorder-reading.js';
import type { MirroredMetric } from '../mirror/types.js';
import { CapturedContext } from '../spans/context-capture.js';

/** Marks an entry whose kind is not recorded from the hook, so the hook skips it after one look. */
const NOT_RECORDED = Symbol('not-recorded');

// Recorded kinds (histograms) go through their sync instrument: the callback need not read them.
const isRecorded = (entry: MetricEntry): boolean =>
  entry.recorded !== undefined && entry.recorded !== NOT_RECORDED;

/** Number series of one observable instrument, aggregated by attribute set before they are observed. */
interface SharedSeries {
  readonly adapter: KindAdapter;
  readonly points: Map<string, { attributes: OtelAttributes; value: number }>;
}

function addShared(series: SharedSeries, view: MirroredMetric): void {
  const merge = series.adapter.merge as (into: number, added: number) => number;
  for (const point of view.points) {
    const key = attributesKey(point.attributes);
    const found = series.points.get(key);
    const value = point.value as number;
    if (found === undefined) series.points.set(key, { attributes: point.attributes, value });
    else found.value = merge(found.value, value);
  }
}

/** What the instruments path needs from its attachment. */
export interface SinkSource extends ReadingSource {
  readonly namespace: string;
}

/**
 * Path 2: mirrors into instruments of any `MeterProvider`. Observed kinds (counters, up-down
 * counters, gauges) are observable instruments read from the mirror in one batch callback;
 * recorded kinds (histograms) are sync instruments fed from the post-change hook with the
 * captured context (exemplar-ready). Which is which, and how each is created, is the kind adapter's.
 */
export class InstrumentSink {
  private readonly meter: Meter;
  private readonly observables = new Map<string, Observable>();
  private readonly recordedByName = new Map<string, RecordedInstrument>();
  private readonly merged = new WeakMap<RecorderMirror, WeakMap<Attributes, OtelAttributes>>();
  private registered: Observable[] = [];
  private closed = false;
  private reRegisterQueued = false;
  private readonly callback = (result: BatchObservableResult): void => this.observe(result);

  constructor(
    meterProvider: MeterProvider,
    private readonly source: SinkSource,
    private readonly reporter: Reporter,
  ) {
    this.meter = meterProvider.getMeter(source.namespace);
    this.register();
  }

  /** Creates the instruments of a new recorder's metrics (wiring time), then lets the next callback report them all. */
  addRecorder(mirror: RecorderMirror): void {
    let changed = false;
    mirror.forEach((entry, view) => {
      if (this.ensureObservable(entry, view)) changed = true;
    });
    mirror.markAllStale();
    if (changed) this.register();
  }

  /** The hook's part for recorded kinds: one `record` per accepted change. */
  onChange(change: MetricChange, mirror: RecorderMirror): void {
    const metric = change.metric;
    const entry = mirror.entry(metric);
    let recorded = entry.recorded as RecordedInstrument | typeof NOT_RECORDED | undefined;
    if (recorded === undefined) {
      recorded = this.recordedFor(entry, mirror);
      entry.recorded = recorded;
    }
    if (recorded === NOT_RECORDED) return;
    const value = change.value;
    if (value === undefined) {
      this.reporter.once(
        `histogram-value:${metric.name}`,
        'hook-failed',
        `otel-bridge: histogram "${metric.name}" of recorder "${mirror.recorder.name}" accepted an event without filling in the MetricUpdate it was passed (value, attributes), so the instruments path cannot record it; fill it in, or use the MetricProducer path (createOtelPipeline or createMetricProducer).`,
      );
      return;
    }
    const captured = change.context;
    recorded.record(
      value,
      // described once the instrument exists (recordedFor)
      this.attributesOf(mirror, change.attributes, entry.described?.instrumentName ?? metric.name),
      captured instanceof CapturedContext ? captured.context : undefined,
    );
  }

  /** Stops reporting: the batch callback is removed (instruments cannot be removed from a meter). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.meter.removeBatchObservableCallback(this.callback, this.registered);
    this.registered = [];
  }

  private observe(result: BatchObservableResult): void {
    if (this.closed) return;
    let missing = false;
    let shared: Map<Observable, SharedSeries> | undefined;
    for (const { mirror, stats } of this.source.freshReadings()) {
      // Without the recorder attribute, recorders' series of one instrument can share attribute sets.
      const unowned = mirror.owner === undefined;
      mirror.forEach(
        (entry, view, refreshed) => {
          if (view.adapter.instrument.mode !== 'observed') return;
          const observable = entry.observable as Observable | undefined;
          if (observable === undefined) {
            // A metric added after attach: its instrument joins the callback from the next collection.
            if (this.ensureObservable(entry, view)) missing = true;
            entry.stale = true;
            return;
          }
          if (unowned || view.overlapping) {
            // A batch result keeps only the last observation of an attribute set: aggregate first,
            // from every recorder, changed or not.
            shared ??= new Map();
            let series = shared.get(observable);
            if (series === undefined) {
              series = { adapter: view.adapter, points: new Map() };
              shared.set(observable, series);
            }
            addShared(series, view);
            return;
          }
          // sdk-metrics keeps the last observed value of an attribute set, so unchanged metrics are skipped.
          if (!refreshed) return;
          for (const point of view.points)
            result.observe(observable, point.value as number, point.attributes);
        },
        stats.failed,
        isRecorded,
      );
    }
    if (shared !== undefined) {
      for (const [observable, series] of shared) {
        for (const point of series.points.values())
          result.observe(observable, point.value, point.attributes);
      }
    }
    if (missing) this.queueRegister();
  }

  // Creates (or shares) the observable instrument of an observed kind; true when a new one was made.
  private ensureObservable(entry: MetricEntry, view: MirroredMetric): boolean {
    const instrument = view.adapter.instrument;
    if (entry.observable !== undefined || instrument.mode !== 'observed') return false;
    let observable = this.observables.get(view.instrumentName);
    const created = observable === undefined;
    if (observable === undefined) {
      const options = { unit: view.unit, description: view.description };
      observable = instrument.create(this.meter, view.instrumentName, options);
      this.observables.set(view.instrumentName, observable);
    }
    entry.observable = observable;
    return created;
  }

  private recordedFor(
    entry: MetricEntry,
    mirror: RecorderMirror,
  ): RecordedInstrument | typeof NOT_RECORDED {
    const described = mirror.describe(entry);
    const instrument = described?.adapter.instrument;
    if (described === undefined || instrument?.mode !== 'recorded') return NOT_RECORDED;
    const name = described.instrumentName;
    let recorded = this.recordedByName.get(name);
    if (recorded === undefined) {
      recorded = instrument.create(this.meter, name, described);
      this.recordedByName.set(name, recorded);
    }
    return recorded;
  }

  // Points of one attribute set from several recorders (recorder attribute off) or with a shadowed
  // attribute simply record into the same histogram series: that is the aggregation.
  private attributesOf(
    mirror: RecorderMirror,
    attributes: Attributes | undefined,
    instrumentName: string,
  ): OtelAttributes {
    if (attributes === undefined) return mirror.extraAttributes;
    let cache = this.merged.get(mirror);
    if (cache === undefined) {
      cache = new WeakMap();
      this.merged.set(mirror, cache);
    }
    let merged = cache.get(attributes);
    if (merged === undefined) {
      const owner = mirror.owner;
      if (owner !== undefined && shadows(attributes, owner.key)) {
        reportShadowed(this.reporter, instrumentName, owner.key);
      }
      merged = withExtra(attributes, mirror.extraAttributes);
      cache.set(attributes, merged);
    }
    return merged;
  }

  private register(): void {
    if (this.closed) return;
    const next: Observable[] = [...this.observables.values()];
    if (this.registered.length > 0)
      this.meter.removeBatchObservableCallback(this.callback, this.registered);
    this.registered = next;
    this.meter.addBatchObservableCallback(this.callback, next);
  }

  // Changing the callback's instruments while sdk-metrics iterates its callbacks is unsafe: defer.
  private queueRegister(): void {
    if (this.reRegisterQueued) return;
    this.reRegisterQueued = true;
    queueMicrotask(() => {
      this.reRegisterQueued = false;
      this.register();
    });
  }
}
