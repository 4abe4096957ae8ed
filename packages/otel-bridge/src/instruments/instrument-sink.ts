import {
  type Attributes,
  describeMetric,
  type MetricChange,
  type MetricDescriptor,
} from '@mvx-metrics/core';
import type {
  BatchObservableResult,
  Histogram,
  Meter,
  MeterProvider,
  Observable,
  Attributes as OtelAttributes,
} from '@opentelemetry/api';
import type { Reporter } from '../internal/report.js';
import { shadows, withExtra } from '../mirror/convert.js';
import { attributesKey, mergeNumber } from '../mirror/merge.js';
import {
  type MetricEntry,
  type RecorderMirror,
  reportShadowed,
} from '../mirror/recorder-mirror.js';
import type { MirroredMetric, MirrorKind } from '../mirror/types.js';
import { CapturedContext } from '../spans/context-capture.js';

/** Marks an entry whose metric is not a histogram, so the hook skips it after one look. */
const NOT_HISTOGRAM = Symbol('not-histogram');

// Histograms go through their sync instrument: the callback need not re-read their snapshots.
const isRecordedHistogram = (entry: MetricEntry): boolean =>
  entry.histogram !== undefined && entry.histogram !== NOT_HISTOGRAM;

/** Number series of one observable instrument, aggregated by attribute set before they are observed. */
interface SharedSeries {
  readonly kind: MirrorKind;
  readonly points: Map<string, { attributes: OtelAttributes; value: number }>;
}

function addShared(series: SharedSeries, view: MirroredMetric): void {
  for (const point of view.points) {
    const key = attributesKey(point.attributes);
    const found = series.points.get(key);
    const value = point.value as number;
    if (found === undefined) series.points.set(key, { attributes: point.attributes, value });
    else found.value = mergeNumber(series.kind, found.value, value);
  }
}

/** What the instruments path needs from its attachment. */
export interface SinkSource {
  readonly namespace: string;
  processPending(): void;
  mirrors(): Iterable<RecorderMirror>;
}

/**
 * Path 2: mirrors into instruments of any `MeterProvider`. Counters, up-down counters and gauges
 * are observable instruments read from the mirror in one batch callback; histograms are sync
 * `Histogram`s recorded from the post-change hook with the captured context (exemplar-ready).
 */
export class InstrumentSink {
  private readonly meter: Meter;
  private readonly observables = new Map<string, Observable>();
  private readonly histograms = new Map<string, Histogram>();
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
      if (view.kind !== 'histogram' && this.ensureObservable(entry, view)) changed = true;
    });
    mirror.markAllDirty();
    if (changed) this.register();
  }

  /** The hook's part for histograms: one `record` per accepted observation. */
  onChange(change: MetricChange, mirror: RecorderMirror): void {
    const metric = change.metric;
    const entry = mirror.entry(metric);
    let histogram = entry.histogram as Histogram | typeof NOT_HISTOGRAM | undefined;
    if (histogram === undefined) {
      histogram = this.histogramFor(entry, mirror);
      entry.histogram = histogram;
    }
    if (histogram === NOT_HISTOGRAM) return;
    const value = change.value;
    if (value === undefined) {
      this.reporter.once(
        `histogram-value:${metric.name}`,
        `otel-bridge: histogram "${metric.name}" of recorder "${mirror.recorder.name}" accepted an event without filling in the MetricUpdate it was passed (value, attributes), so the instruments path cannot record it; fill it in, or use the MetricProducer path (createOtelPipeline or createMetricProducer).`,
      );
      return;
    }
    const captured = change.context;
    histogram.record(
      value,
      this.attributesOf(mirror, change.attributes, metric.name),
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
    this.source.processPending();
    let missing = false;
    let shared: Map<Observable, SharedSeries> | undefined;
    for (const mirror of this.source.mirrors()) {
      // Without the recorder attribute, recorders' series of one instrument can share attribute sets.
      const unowned = mirror.owner === undefined;
      mirror.forEach((entry, view, refreshed) => {
        if (view.kind === 'histogram') return;
        const observable = entry.observable as Observable | undefined;
        if (observable === undefined) {
          // A metric added after attach: its instrument joins the callback from the next collection.
          if (this.ensureObservable(entry, view)) missing = true;
          entry.dirty = true;
          return;
        }
        if (unowned || view.overlapping) {
          // A batch result keeps only the last observation of an attribute set: aggregate first,
          // from every recorder, changed or not.
          shared ??= new Map();
          let series = shared.get(observable);
          if (series === undefined) {
            series = { kind: view.kind, points: new Map() };
            shared.set(observable, series);
          }
          addShared(series, view);
          return;
        }
        // sdk-metrics keeps the last observed value of an attribute set, so unchanged metrics are skipped.
        if (!refreshed) return;
        for (const point of view.points)
          result.observe(observable, point.value as number, point.attributes);
      }, isRecordedHistogram);
    }
    if (shared !== undefined) {
      for (const [observable, series] of shared) {
        for (const point of series.points.values())
          result.observe(observable, point.value, point.attributes);
      }
    }
    if (missing) this.queueRegister();
  }

  private ensureObservable(entry: MetricEntry, view: MirroredMetric): boolean {
    if (entry.observable !== undefined) return false;
    let observable = this.observables.get(view.instrumentName);
    const created = observable === undefined;
    if (observable === undefined) {
      const options = { unit: view.unit, description: view.description };
      observable =
        view.kind === 'counter'
          ? this.meter.createObservableCounter(view.instrumentName, options)
          : view.kind === 'upDownCounter'
            ? this.meter.createObservableUpDownCounter(view.instrumentName, options)
            : this.meter.createObservableGauge(view.instrumentName, options);
      this.observables.set(view.instrumentName, observable);
    }
    entry.observable = observable;
    return created;
  }

  private histogramFor(
    entry: MetricEntry,
    _mirror: RecorderMirror,
  ): Histogram | typeof NOT_HISTOGRAM {
    const metric = entry.metric;
    let descriptor: MetricDescriptor;
    try {
      descriptor = describeMetric(metric);
    } catch {
      return NOT_HISTOGRAM;
    }
    if (descriptor.kind !== 'histogram') return NOT_HISTOGRAM;
    const name = `${this.source.namespace}.${metric.name}`;
    let histogram = this.histograms.get(name);
    if (histogram === undefined) {
      const boundaries = descriptor.boundaries;
      histogram = this.meter.createHistogram(name, {
        unit: descriptor.unit ?? '',
        description: descriptor.description ?? '',
        ...(boundaries === undefined
          ? {}
          : { advice: { explicitBucketBoundaries: [...boundaries] } }),
      });
      this.histograms.set(name, histogram);
    }
    return histogram;
  }

  // Points of one attribute set from several recorders (recorder attribute off) or with a shadowed
  // attribute simply record into the same histogram series: that is the aggregation.
  private attributesOf(
    mirror: RecorderMirror,
    attributes: Attributes | undefined,
    metricName: string,
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
        reportShadowed(this.reporter, `${this.source.namespace}.${metricName}`, owner.key);
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
