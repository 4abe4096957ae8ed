import type { RecorderState, RuntimeState } from '@mvx-metrics/core';
import { diag, trace } from '@opentelemetry/api';
import type { Reporter } from '../internal/report.js';
import type { HealthLink } from '../producer/pipeline-link.js';
import { NAMESPACE_ATTRIBUTE } from '../telemetry/self-telemetry.js';
import { type BridgeTarget, isRuntime } from './attachment.js';

/** What the watch needs: the pipeline (if any), the final export, whether spans are on. */
export interface RuntimeWatchSettings {
  readonly namespace: string;
  readonly health: HealthLink | undefined;
  /** Exports now through the destination's readers; `undefined` when it has no way to. */
  readonly flush: (() => Promise<void>) | undefined;
  /** Transitions become events on the span active then (`spans: true`). */
  readonly spanEvents: boolean;
  readonly reporter: Reporter;
}

/** Span event of a lifecycle transition, with the namespace, the state and the one before. */
export const STATE_CHANGE_EVENT = 'mvx.runtime.state_change';

// A bare recorder's lifecycle, read as a runtime's for the probes.
const AS_RUNTIME: Readonly<Record<RecorderState, RuntimeState>> = {
  created: 'initializing',
  running: 'running',
  stopping: 'draining',
  stopped: 'drained',
};

/**
 * Follows the target's lifecycle for as long as the bridge is attached: the pipeline's probes
 * read its state; each transition is a `diag` log line (and a span event with `spans: true`);
 * on `'drained'` and on `'failed'` the bridge exports once more, and a pipeline's `shutdown()`
 * waits for that export (from `'draining'` on). Returns the undo.
 */
export function watchRuntime(target: BridgeTarget, settings: RuntimeWatchSettings): () => void {
  const { health, namespace } = settings;
  if (!isRuntime(target)) {
    const untrack = health?.track({
      label: `recorder "${target.name}"`,
      namespace,
      state: () => AS_RUNTIME[target.state],
    });
    return () => untrack?.();
  }
  const untrack = health?.track({
    label: `runtime "${target.namespace}"`,
    namespace: target.namespace,
    state: () => target.state,
  });
  let release: (() => void) | undefined;
  const holdShutdown = () => {
    if (health === undefined || release !== undefined) return;
    health.hold(
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
  };
  if (target.state === 'draining') holdShutdown();
  const unsubscribe = target.onStateChange((state, previous) => {
    diag.info(`@mvx-metrics/otel-bridge: runtime "${target.namespace}" ${previous} → ${state}`);
    if (settings.spanEvents) {
      trace.getActiveSpan()?.addEvent(STATE_CHANGE_EVENT, {
        [NAMESPACE_ATTRIBUTE]: target.namespace,
        'mvx.runtime.state': state,
        'mvx.runtime.previous_state': previous,
      });
    }
    if (state === 'draining') holdShutdown();
    if (state !== 'drained' && state !== 'failed') return;
    holdShutdown();
    const done = release;
    release = undefined;
    void finalExport(target.namespace, state, settings).finally(() => done?.());
  });
  return () => {
    unsubscribe();
    untrack?.();
    release?.();
    release = undefined;
  };
}

// The export on a terminal state: what the runtime has, its state gauge at the terminal state.
// Push readers report a failed export to OpenTelemetry's error handler (a pipeline's onError);
// a flush that rejects outright is reported here.
async function finalExport(
  namespace: string,
  state: RuntimeState,
  settings: RuntimeWatchSettings,
): Promise<void> {
  if (settings.flush === undefined) return;
  try {
    await settings.flush();
    diag.info(`@mvx-metrics/otel-bridge: runtime "${namespace}" ${state}: final export done`);
  } catch (error) {
    settings.reporter.once(
      `final-export:${state}`,
      'export-failed',
      `The final export after runtime "${namespace}" became ${state} failed: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  }
}
