import type { RecorderStats, RuntimeState } from '@mvx-metrics/core';
import type { Attributes as OtelAttributes } from '@opentelemetry/api';

/** Instrumentation scope (meter name) of the self-telemetry: one scope for every runtime, so the families never repeat. */
export const SELF_TELEMETRY_SCOPE = '@mvx-metrics/otel-bridge';

/** Attribute naming the runtime's namespace on self-telemetry points. */
export const NAMESPACE_ATTRIBUTE = 'mvx.namespace';

/** The outcomes `mvx.recorder.events` is split by. */
export const RECORDER_OUTCOMES = ['processed', 'accepted', 'ignored', 'dropped', 'failed'] as const;

/** One self-telemetry instrument: name, unit, description and how it is exported. */
export interface SelfInstrument {
  readonly name: string;
  readonly unit: string;
  readonly description: string;
  readonly monotonic: boolean;
}

/** `mvx.recorder.events`: events by outcome (a counter, `mvx_recorder_events_total` in Prometheus). */
export const RECORDER_EVENTS: SelfInstrument = {
  name: 'mvx.recorder.events',
  unit: '{event}',
  description:
    'Events a recorder handled, by outcome (processed = accepted + ignored; dropped when full)',
  monotonic: true,
};

/** `mvx.recorder.pending`: events waiting in the buffer (an up-down counter). */
export const RECORDER_PENDING: SelfInstrument = {
  name: 'mvx.recorder.pending',
  unit: '{event}',
  description: 'Events registered and not yet processed',
  monotonic: false,
};

/** `mvx.recorder.capacity`: the buffer bound (an up-down counter, constant per recorder). */
export const RECORDER_CAPACITY: SelfInstrument = {
  name: 'mvx.recorder.capacity',
  unit: '{event}',
  description: 'Bound of the pending-event buffer',
  monotonic: false,
};

/** The lifecycle states `mvx.runtime.state` reports, one point each. */
export const RUNTIME_STATES: readonly RuntimeState[] = [
  'initializing',
  'running',
  'draining',
  'drained',
  'failed',
];

/** Attribute naming the lifecycle state on `mvx.runtime.state` points. */
export const STATE_ATTRIBUTE = 'state';

/**
 * `mvx.runtime.state`: 1 for the state a runtime is in, 0 for the others (an up-down counter, a
 * gauge `mvx_runtime_state{state="running"} 1` in Prometheus; runtimes sharing a namespace add up).
 */
export const RUNTIME_STATE: SelfInstrument = {
  name: 'mvx.runtime.state',
  unit: '{runtime}',
  description:
    'Runtimes in each lifecycle state (initializing, running, draining, drained, failed): 1 for the state it is in',
  monotonic: false,
};

/** The attribute sets of `mvx.runtime.state` for one namespace, in {@link RUNTIME_STATES} order. */
export function runtimeStateAttributes(namespace: string): readonly OtelAttributes[] {
  return RUNTIME_STATES.map((state) =>
    Object.freeze({ [NAMESPACE_ATTRIBUTE]: namespace, [STATE_ATTRIBUTE]: state }),
  );
}

/** The attribute sets of one recorder's self-telemetry, built once per recorder. */
export interface SelfAttributes {
  readonly recorder: OtelAttributes;
  readonly outcomes: readonly OtelAttributes[];
}

/**
 * Self-telemetry always names the recorder (under `recorderAttribute`, or `recorder` when that is
 * off) and the runtime's namespace, so recorders of several runtimes never collide.
 */
export function selfAttributes(
  recorderName: string,
  key: string | false,
  namespace: string,
): SelfAttributes {
  const k = key === false ? 'recorder' : key;
  const base = { [k]: recorderName, [NAMESPACE_ATTRIBUTE]: namespace };
  return {
    recorder: Object.freeze(base),
    outcomes: RECORDER_OUTCOMES.map((outcome) => Object.freeze({ ...base, outcome })),
  };
}

/** The value of `mvx.recorder.events` for each of {@link RECORDER_OUTCOMES}, in order. */
export function outcomeValues(stats: RecorderStats): readonly number[] {
  return [stats.processed, stats.accepted, stats.ignored, stats.dropped, stats.failed];
}
