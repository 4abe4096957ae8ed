import type { MetricChange } from '@mvx-metrics/core';
import { isSpanContextValid, type SpanContext, TraceFlags, trace } from '@opentelemetry/api';
import type { EpochClock } from '../internal/clock.js';
import { CapturedContext } from '../spans/context-capture.js';
import type { RecorderExemplars } from './recorder-exemplars.js';
import type { ExemplarFilterName } from './types.js';

/**
 * Decides, in the post-change hook, whether a measurement becomes an exemplar (the filter) and
 * offers it to the recorder's reservoirs: value, registration time, trace and span id. With
 * `trace_based` only measurements registered inside a sampled span qualify; `always_on` takes every
 * measurement (trace ids when there is a span). O(1) per accepted event.
 */
export class ExemplarSampler {
  /**
   * `always_on`: every measurement qualifies. Otherwise (`trace_based`) only one registered inside
   * a sampled span, which always carries a capture: the hook skips the rest without an offer.
   */
  readonly everyMeasurement: boolean;

  constructor(
    private readonly filter: Exclude<ExemplarFilterName, 'always_off'>,
    private readonly clock: EpochClock,
  ) {
    this.everyMeasurement = filter === 'always_on';
  }

  /** `eventSpan`: the domain event's own span (spans: true) when it is sampled; it wins over the request's. */
  offer(change: MetricChange, store: RecorderExemplars, eventSpan: SpanContext | undefined): void {
    const value = change.value;
    if (value === undefined || !Number.isFinite(value)) return;
    const captured = change.context;
    const inContext = captured instanceof CapturedContext;
    // The event's own span wins; a context whose ids OpenTelemetry calls invalid is no span at
    // all: propagated headers and custom propagators are untrusted input.
    let span = trusted(eventSpan);
    if (span === undefined && inContext) span = trusted(trace.getSpanContext(captured.context));
    const sampled = span !== undefined && (span.traceFlags & TraceFlags.SAMPLED) !== 0;
    if (this.filter === 'trace_based' && !sampled) return;
    store.offer(change, {
      value,
      time: inContext ? captured.time : this.clock(),
      traceId: span?.traceId ?? '',
      spanId: span?.spanId ?? '',
    });
  }
}

/**
 * The ids of `span` read once (a getter cannot hand the check one id and the exemplar another),
 * when OpenTelemetry calls them valid (`isSpanContextValid`: 32 and 16 hex digits, not all zeros);
 * `undefined` otherwise.
 */
function trusted(span: SpanContext | undefined): SpanContext | undefined {
  if (span === undefined) return undefined;
  const { traceId, spanId, traceFlags } = span;
  if (typeof traceId !== 'string' || typeof spanId !== 'string') return undefined;
  const ids = { traceId, spanId, traceFlags };
  return isSpanContextValid(ids) ? ids : undefined;
}
