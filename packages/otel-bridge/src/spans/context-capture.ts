import type { ContextCapture } from '@mvx-metrics/core';
import { type Context, context, ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import type { EpochClock } from '../internal/clock.js';

/** What the bridge's capturer attaches to an event registered while a span is active. */
export class CapturedContext {
  constructor(
    /** The OTel context active at `registerEvent` (it holds the request span). */
    readonly context: Context,
    /** Registration time, epoch milliseconds: the start of the event's span, the exemplar's time. */
    readonly time: number,
  ) {}
}

/** A context manager that knows whether it is still the `@opentelemetry/api` global one. */
export interface ContextSource {
  /** False once disabled: the API disables the global manager before another can be installed. */
  readonly inService: boolean;
  active(): Context;
}

// The global context manager when createOtelPipeline installed it (OpenTelemetry's own
// AsyncLocalStorage manager): captures ask it directly. `context.active()` finds the same manager
// through the API's global registry, which costs more than the rest of a capture.
let installedSource: ContextSource | undefined;

/** `source` has just become the global context manager: captures ask it while it stays in service. */
export function useContextSource(source: ContextSource): void {
  installedSource = source;
}

// Where `@opentelemetry/api` 1.x (this package's peer range) registers its globals: the context
// manager is its `context` entry, absent until one is registered (and deleted on `disable()`).
const API_GLOBAL = Symbol.for('opentelemetry.js.api.1');
type ApiGlobal = { [API_GLOBAL]?: { context?: unknown } };

/** Which active spans are worth capturing: sampled ones only, or any (`always_on` exemplars). */
export type CaptureScope = 'sampled' | 'any';

/** The bridge's capturer and the call that ends its current turn (see {@link createContextCapture}). */
export interface BridgeContextCapture {
  readonly capture: ContextCapture;
  /** A processing batch ran: the next registration reads the clock again. */
  newTurn(): void;
}

/**
 * The capturer the bridge installs. Per `registerEvent`: one context lookup (the pipeline's
 * context manager itself when it is the global one, else `context.active()`), and
 * - no active context, or a context already seen without a (sampled) span: `undefined`, nothing else;
 * - the same context as the previous capture, no processing batch in between: the same
 *   {@link CapturedContext} again (no clock read, no allocation: events registered by one request
 *   in one turn share their registration time);
 * - otherwise one clock read and one small object.
 * A context never changes its span, so only the time of the cached capture can go stale, and every
 * processing batch ends it ({@link BridgeContextCapture.newTurn}).
 *
 * The last capture stays referenced after its turn (marked stale, not dropped): V8 throws away
 * optimized code whose embedded object shapes die, and with no {@link CapturedContext} alive at a
 * garbage collection the class's shape died every turn, so `registerEvent` and the exemplar hook
 * were deoptimised and re-optimised over and over (`node --trace-deopt`: "weak objects").
 */
export function createContextCapture(clock: EpochClock, scope: CaptureScope): BridgeContextCapture {
  let last: CapturedContext | undefined;
  let fresh = false;
  let skipped: Context | undefined;
  const sampledOnly = scope === 'sampled';
  return {
    capture: () => {
      const source = installedSource;
      let active: Context;
      if (source?.inService) {
        active = source.active();
      } else {
        // No context manager registered with the API: `context.active()` would ask the no-op
        // manager, whose answer is always ROOT_CONTEXT. Told from the API's own global registry
        // (a property read) instead of through `context.active()`, whose version check costs
        // more than the rest of `registerEvent` (a third of processing in the soak's workload,
        // where exemplars are on and no tracing is set up).
        if ((globalThis as ApiGlobal)[API_GLOBAL]?.context === undefined) return undefined;
        active = context.active();
      }
      // Outside any context.with(...) the manager returns ROOT_CONTEXT: no span, nothing to look up.
      if (active === ROOT_CONTEXT || active === skipped) return undefined;
      if (fresh && (last as CapturedContext).context === active) return last;
      const span = trace.getSpan(active);
      if (
        span === undefined ||
        (sampledOnly && (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0)
      ) {
        skipped = active;
        return undefined;
      }
      last = new CapturedContext(active, clock());
      fresh = true;
      return last;
    },
    newTurn: () => {
      fresh = false;
    },
  };
}
