import type { MetricChange } from '@mvx-metrics/core';
import {
  INVALID_SPANID,
  INVALID_TRACEID,
  type SpanContext,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
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
    let span = eventSpan;
    if (span === undefined && inContext) span = trace.getSpanContext(captured.context);
    // The API's invalid context (all zeros) stands for "no span"; ids the SDK makes are valid.
    if (
      span !== undefined &&
      (span.traceId === INVALID_TRACEID || span.spanId === INVALID_SPANID)
    ) {
      span = undefined;
    }
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
