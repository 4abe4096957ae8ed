import type { ContextCapture } from '@mvx-metrics/core';
import { type Context, context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { EpochClock } from '../internal/clock.js';

/** What the bridge's capturer attaches to an event registered while a span is active. */
export class CapturedContext {
  constructor(
    /** The OTel context active at `registerEvent` (it holds the request span). */
    readonly context: Context,
    /** Registration time, epoch milliseconds: the start of the event's span. */
    readonly time: number,
  ) {}
}

/**
 * The capturer the bridge installs: one context lookup per `registerEvent`; an allocation only
 * when a span is active (nothing to link to otherwise, so `undefined`).
 */
export function createContextCapture(clock: EpochClock): ContextCapture {
  return () => {
    const active = context.active();
    // Outside any context.with(...) the manager returns ROOT_CONTEXT: no span, nothing to look up.
    if (active === ROOT_CONTEXT || trace.getSpan(active) === undefined) return undefined;
    return new CapturedContext(active, clock());
  };
}
