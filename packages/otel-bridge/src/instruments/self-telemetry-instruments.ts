import type {
  BatchObservableResult,
  Meter,
  MeterProvider,
  Observable,
  Attributes as OtelAttributes,
} from '@opentelemetry/api';
import type { ReadingSource } from '../mirror/recorder-reading.js';
import {
  outcomeValues,
  RECORDER_CAPACITY,
  RECORDER_EVENTS,
  RECORDER_PENDING,
  RUNTIME_STATE,
  RUNTIME_STATES,
  SELF_TELEMETRY_SCOPE,
  type SelfInstrument,
} from '../telemetry/self-telemetry.js';

/** Instruments path: each recorder's `stats()` as observable instruments of the bridge's own meter. */
export class SelfTelemetryInstruments {
  private readonly meter: Meter;
  private readonly observables: Observable[];
  private closed = false;
  private readonly callback = (result: BatchObservableResult): void => this.observe(result);

  constructor(
    meterProvider: MeterProvider,
    private readonly source: ReadingSource,
  ) {
    this.meter = meterProvider.getMeter(SELF_TELEMETRY_SCOPE);
    const options = (i: SelfInstrument) => ({ unit: i.unit, description: i.description });
    this.observables = [
      this.meter.createObservableCounter(RECORDER_EVENTS.name, options(RECORDER_EVENTS)),
      this.meter.createObservableUpDownCounter(RECORDER_PENDING.name, options(RECORDER_PENDING)),
      this.meter.createObservableUpDownCounter(RECORDER_CAPACITY.name, options(RECORDER_CAPACITY)),
      this.meter.createObservableUpDownCounter(RUNTIME_STATE.name, options(RUNTIME_STATE)),
    ];
    this.meter.addBatchObservableCallback(this.callback, this.observables);
  }

  /** Removes the batch callback (instruments cannot be removed from a meter). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.meter.removeBatchObservableCallback(this.callback, this.observables);
  }

  private observe(result: BatchObservableResult): void {
    if (this.closed) return;
    const [events, pending, capacity, runtimeState] = this.observables as [
      Observable,
      Observable,
      Observable,
      Observable,
    ];
    for (const { stats, self } of this.source.freshReadings()) {
      const values = outcomeValues(stats);
      for (let i = 0; i < values.length; i++) {
        result.observe(events, values[i] as number, self.outcomes[i] as OtelAttributes);
      }
      result.observe(pending, stats.pending, self.recorder);
      result.observe(capacity, stats.capacity, self.recorder);
    }
    const runtime = this.source.runtimeState();
    if (runtime === undefined) return;
    for (let i = 0; i < RUNTIME_STATES.length; i++) {
      const value = RUNTIME_STATES[i] === runtime.state ? 1 : 0;
      result.observe(runtimeState, value, runtime.attributes[i] as OtelAttributes);
    }
  }
}
