import {
  type ContextCapture,
  describeMetric,
  type Metric,
  type MetricChange,
  type MetricsRecorder,
  type MetricsRuntime,
  MetricsWiringError,
  type RuntimeState,
} from '@mvx-metrics/core';
import type { HrTime, Attributes as OtelAttributes, Tracer } from '@opentelemetry/api';
import type { ExemplarSampler } from '../exemplars/exemplar-sampler.js';
import { RecorderExemplars } from '../exemplars/recorder-exemplars.js';
import type { ExemplarReservoir } from '../exemplars/reservoir.js';
import type { InstrumentSink } from '../instruments/instrument-sink.js';
import { type EpochClock, hrNow } from '../internal/clock.js';
import type { Reporter } from '../internal/report.js';
import { adapterFor } from '../kinds/index.js';
import { type MetricEntry, RecorderMirror } from '../mirror/recorder-mirror.js';
import type { ReadingSource, RecorderReading } from '../mirror/recorder-reading.js';
import type { MirroredMetric } from '../mirror/types.js';
import type { CollectionBuilder } from '../producer/collection-builder.js';
import type { ProducerFeed } from '../producer/mvx-metric-producer.js';
import type { BridgeContextCapture } from '../spans/context-capture.js';
import { EventSpans, type RecorderSpans } from '../spans/event-spans.js';
import {
  outcomeValues,
  RECORDER_CAPACITY,
  RECORDER_EVENTS,
  RECORDER_PENDING,
  RUNTIME_STATE,
  RUNTIME_STATES,
  runtimeStateAttributes,
  SELF_TELEMETRY_SCOPE,
  type SelfAttributes,
  selfAttributes,
} from '../telemetry/self-telemetry.js';
import type { NameGuard } from './name-guard.js';

/** The reservoir a metric's kind keeps per series (its adapter decides), or none. */
function reservoirFactory(metric: Metric): (() => ExemplarReservoir) | undefined {
  try {
    const descriptor = describeMetric(metric);
    return adapterFor(descriptor).exemplarReservoir(descriptor);
  } catch {
    return undefined; // a snapshot() that throws is reported at collection
  }
}

// Which attachment mirrors each recorder: a recorder is bridged once, whether through its
// runtime or on its own, or everything it holds would be exported (and self-reported) twice.
const BRIDGED = new WeakMap<MetricsRecorder, Attachment>();

/** A runtime, or a recorder used without one. */
export type BridgeTarget = MetricsRuntime | MetricsRecorder;

interface Attached {
  readonly mirror: RecorderMirror;
  readonly self: SelfAttributes;
  readonly spans: RecorderSpans | undefined;
  readonly exemplars: RecorderExemplars | undefined;
  readonly unsubscribe: () => void;
}

/** Settings an attachment runs with (options resolved). */
export interface AttachmentSettings {
  readonly namespace: string;
  readonly recorderAttribute: string | false;
  readonly selfTelemetry: boolean;
  readonly tracer: Tracer | undefined;
  /** Keeps exemplars of sampled measurements (producer path), per the exemplar filter; none when `always_off`. */
  readonly exemplars: ExemplarSampler | undefined;
  readonly clock: EpochClock;
  readonly reporter: Reporter;
  /** Refuses recorders whose metric names clash with what the destination already exports. */
  readonly names: NameGuard;
}

/** Everything one `attachOtelBridge` call keeps: the mirrors of its recorders and their hooks. */
export class Attachment implements ProducerFeed, ReadingSource {
  readonly namespace: string;
  readonly recorderAttribute: string | false;
  private readonly attached = new Map<MetricsRecorder, Attached>();
  private readonly spans: EventSpans | undefined;
  private sink: InstrumentSink | undefined;
  private capture: BridgeContextCapture | undefined;
  private readonly unsubscribers: Array<() => void> = [];
  private turnReadings: readonly RecorderReading[] | undefined;
  private readonly startTime: HrTime;
  private readonly stateAttributes: readonly OtelAttributes[];

  constructor(
    private readonly target: BridgeTarget,
    private readonly settings: AttachmentSettings,
  ) {
    this.namespace = settings.namespace;
    this.recorderAttribute = settings.recorderAttribute;
    this.spans =
      settings.tracer === undefined ? undefined : new EventSpans(settings.tracer, settings.clock);
    this.startTime = hrNow(settings.clock);
    this.stateAttributes = runtimeStateAttributes(settings.namespace);
  }

  /** The runtime's lifecycle state (a bare recorder has none of its own). */
  runtimeState():
    | { readonly state: RuntimeState; readonly attributes: readonly OtelAttributes[] }
    | undefined {
    if (!isRuntime(this.target)) return undefined;
    return { state: this.target.state, attributes: this.stateAttributes };
  }

  /** Mirrors every present recorder and, for a runtime, every future one. */
  start(sink: InstrumentSink | undefined): void {
    this.sink = sink;
    if (isRuntime(this.target)) {
      const runtime = this.target;
      this.unsubscribers.push(
        runtime.onRecorderAdded((recorder) => this.addRecorder(recorder)),
        runtime.onRecorderRemoved((recorder) => this.removeRecorder(recorder)),
      );
      for (const recorder of runtime.recorders()) this.addRecorder(recorder);
    } else {
      this.addRecorder(this.target);
    }
  }

  /** Installs `capture` on the target (runtime: every recorder, present and future). */
  installCapture(capture: BridgeContextCapture | undefined): void {
    this.capture = capture;
    const fn: ContextCapture | undefined = capture?.capture;
    this.target.setContextCapture(fn);
  }

  /** Freshness: processes every pending event, then reads each recorder's stats once. */
  readNow(): RecorderReading[] {
    this.target.processPending();
    const readings: RecorderReading[] = [];
    for (const { mirror, self } of this.attached.values()) {
      readings.push({ mirror, self, stats: mirror.recorder.stats() });
    }
    return readings;
  }

  /** {@link Attachment.readNow}, shared by the batch callbacks of one collection (one synchronous pass). */
  freshReadings(): readonly RecorderReading[] {
    let readings = this.turnReadings;
    if (readings === undefined) {
      readings = this.readNow();
      this.turnReadings = readings;
      queueMicrotask(() => {
        this.turnReadings = undefined;
      });
    }
    return readings;
  }

  /** Producer path: fresh state of every recorder, converted (changed points only) into `builder`. */
  collectInto(builder: CollectionBuilder): void {
    const scope = this.namespace;
    const selfScope = SELF_TELEMETRY_SCOPE;
    const reporter = this.settings.reporter;
    let exemplars: RecorderExemplars | undefined;
    const visit = (entry: MetricEntry, view: MirroredMetric): void => {
      builder.addMetric(scope, view, reporter, exemplars?.forMetric(entry.metric));
    };
    for (const { mirror, self, stats } of this.readNow()) {
      exemplars = this.attached.get(mirror.recorder)?.exemplars;
      mirror.forEach(visit, stats.failed, undefined, builder.endTime);
      if (!this.settings.selfTelemetry) continue;
      const values = outcomeValues(stats);
      for (let i = 0; i < values.length; i++) {
        builder.addSelf(
          selfScope,
          RECORDER_EVENTS,
          mirror.startTime,
          self.outcomes[i] ?? {},
          values[i] ?? 0,
        );
      }
      builder.addSelf(selfScope, RECORDER_PENDING, mirror.startTime, self.recorder, stats.pending);
      builder.addSelf(
        selfScope,
        RECORDER_CAPACITY,
        mirror.startTime,
        self.recorder,
        stats.capacity,
      );
    }
    const runtime = this.settings.selfTelemetry ? this.runtimeState() : undefined;
    if (runtime === undefined) return;
    for (let i = 0; i < RUNTIME_STATES.length; i++) {
      const value = RUNTIME_STATES[i] === runtime.state ? 1 : 0;
      builder.addSelf(selfScope, RUNTIME_STATE, this.startTime, runtime.attributes[i] ?? {}, value);
    }
  }

  /** What this attachment was attached to, for messages. */
  describeTarget(): string {
    return isRuntime(this.target)
      ? `its runtime "${this.target.namespace}"`
      : `recorder "${this.target.name}" itself`;
  }

  /** Removes every hook and listener; the recorders keep running untouched. */
  detach(): void {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    for (const recorder of [...this.attached.keys()]) this.removeRecorder(recorder);
  }

  private addRecorder(recorder: MetricsRecorder): void {
    if (this.attached.has(recorder)) return;
    const other = BRIDGED.get(recorder);
    if (other !== undefined && other !== this) {
      throw new MetricsWiringError(
        'invalid-option',
        `attachOtelBridge: recorder "${recorder.name}" already has a bridge (attached to ${other.describeTarget()}); a second one would export every series and the self-telemetry twice. detach() the first one, or attach once to the runtime.`,
      );
    }
    const { settings } = this;
    // Throws (wiring time) before anything is hooked when a name clashes.
    const releaseNames = settings.names.claim(recorder, this.namespace, settings.reporter);
    const mirror = new RecorderMirror(
      recorder,
      this.namespace,
      settings.recorderAttribute,
      hrNow(settings.clock),
      settings.reporter,
      recorder.stats().failed,
    );
    const spans = this.spans?.forRecorder(mirror);
    const sink = this.sink;
    const sampler = settings.exemplars;
    const exemplars = sampler === undefined ? undefined : new RecorderExemplars(reservoirFactory);
    const hook = hookFor(mirror, sink, spans, sampler, exemplars);
    // The hook reads each change during its call and keeps only its fields: no record per change.
    // The mirror reads built-in metrics live at collection and needs no hook; spans and exemplars
    // (except under `always_on`) need only changes with a captured context, so on the producer
    // path an event registered outside a sampled span costs the recorder no change at all. The
    // instruments path (recorded histograms) and `always_on` exemplars need every change, and so
    // does the mirror once it has a metric it cannot read live (a hand-written one): it logs
    // that metric's changes, and asks for them at the collection that first finds one.
    const everyChange = sink !== undefined || sampler?.everyMeasurement === true;
    mirror.logging = hook !== undefined && everyChange;
    let offChange =
      hook === undefined
        ? () => {}
        : recorder.onChange(hook, { transient: true, withContext: !everyChange });
    mirror.startLogging = () => {
      if (mirror.logging) return;
      offChange();
      mirror.logging = true;
      offChange = recorder.onChange(hook ?? ((change) => mirror.logChange(change)), {
        transient: true,
      });
    };
    // A batch ran: event spans end, and the capturer's registration time starts afresh.
    const offBatch = recorder.onBatchEnd(() => {
      spans?.flush();
      this.capture?.newTurn();
    });
    BRIDGED.set(recorder, this);
    this.attached.set(recorder, {
      mirror,
      self: selfAttributes(recorder.name, settings.recorderAttribute, this.namespace),
      spans,
      exemplars,
      unsubscribe: () => {
        mirror.startLogging = undefined;
        releaseNames();
        offChange();
        offBatch();
      },
    });
    sink?.addRecorder(mirror);
  }

  private removeRecorder(recorder: MetricsRecorder): void {
    const attached = this.attached.get(recorder);
    if (attached === undefined) return;
    this.attached.delete(recorder);
    if (BRIDGED.get(recorder) === this) BRIDGED.delete(recorder);
    attached.unsubscribe();
    attached.spans?.flush();
  }
}

// The post-change hook, specialised once per recorder; `undefined` when nothing needs one: the
// mirror reads built-in metrics live at collection, so on the producer path without spans or
// exemplars a change costs the recorder nothing beyond the metric's own update.
function hookFor(
  mirror: RecorderMirror,
  sink: InstrumentSink | undefined,
  spans: RecorderSpans | undefined,
  sampler: ExemplarSampler | undefined,
  exemplars: RecorderExemplars | undefined,
): ((change: MetricChange) => void) | undefined {
  if (sink === undefined && spans === undefined && exemplars === undefined) return undefined;
  const everyMeasurement = sampler?.everyMeasurement === true;
  return (change) => {
    if (mirror.logging) mirror.logChange(change);
    sink?.onChange(change, mirror);
    const eventSpan = spans?.onChange(change);
    // An event registered outside any sampled span has no capture (and no span of its own):
    // under `trace_based` it cannot become an exemplar, so it costs the sampler nothing.
    if (exemplars !== undefined && (change.context !== undefined || everyMeasurement)) {
      sampler?.offer(change, exemplars, eventSpan);
    }
  };
}

/** A runtime has `recorders()`; checked structurally so two copies of core still work together. */
export function isRuntime(target: BridgeTarget): target is MetricsRuntime {
  return typeof (target as Partial<MetricsRuntime>).recorders === 'function';
}
