// Which measurements the exemplar sampler offers, and with which ids, for any value, any span
// context (valid, invalid, with ids that are not strings), either filter, with or without a
// captured request context. The model reads OpenTelemetry's own `isSpanContextValid`: a span
// context it calls invalid is no span; `trace_based` wants a valid, sampled one.
import type { MetricChange } from '@mvx-metrics/core';
import {
  isSpanContextValid,
  ROOT_CONTEXT,
  type SpanContext,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CapturedContext } from '../spans/context-capture.js';
import { ExemplarSampler } from './exemplar-sampler.js';
import type { RecorderExemplars } from './recorder-exemplars.js';
import type { BridgeExemplar } from './types.js';

const hex = (length: number) =>
  fc.string({
    unit: fc.constantFrom(...'0123456789abcdefABCDEF'),
    minLength: length,
    maxLength: length,
  });
const validTrace = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const validSpan = '0123456789abcdef';

/** Ids of every family: valid, all zeros, wrong length, any text, and values that are not strings. */
const id = (length: number, valid: string) =>
  fc.oneof(
    hex(length),
    fc.constant('0'.repeat(length)),
    hex(length + 1),
    fc.string(),
    fc.constant(`${valid.slice(0, -1)}"`),
    fc.constant(`${valid}\n`),
    fc.constant({ toString: () => valid }),
    fc.constant(Number.parseInt(valid.slice(0, 12), 16)),
    fc.constant(null),
    fc.constant(undefined),
  );

const spanContext = fc.record({
  traceId: id(32, validTrace),
  spanId: id(16, validSpan),
  traceFlags: fc.oneof(
    fc.constantFrom(TraceFlags.NONE, TraceFlags.SAMPLED),
    fc.integer({ min: 0, max: 255 }),
  ),
}) as fc.Arbitrary<SpanContext>;

const value = fc.oneof(
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0),
  fc.constant(undefined),
);

/** The span an exemplar may name: string ids that OpenTelemetry calls valid, or none. */
function trustedModel(span: SpanContext | undefined): SpanContext | undefined {
  if (span === undefined) return undefined;
  if (typeof span.traceId !== 'string' || typeof span.spanId !== 'string') return undefined;
  return isSpanContextValid(span) ? span : undefined;
}

function offers(
  filter: 'always_on' | 'trace_based',
  change: MetricChange,
  eventSpan: SpanContext | undefined,
): BridgeExemplar[] {
  const offered: BridgeExemplar[] = [];
  const store = {
    offer(offeredChange: MetricChange, exemplar: BridgeExemplar) {
      expect(offeredChange).toBe(change);
      offered.push(exemplar);
    },
  } as unknown as RecorderExemplars;
  new ExemplarSampler(filter, () => 1_000).offer(change, store, eventSpan);
  return offered;
}

describe('ExemplarSampler', () => {
  it('offers finite values only, with the ids of a valid span (the event span first), and for trace_based only inside a sampled one (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('always_on' as const, 'trace_based' as const),
        value,
        fc.option(spanContext, { nil: undefined }),
        fc.option(spanContext, { nil: undefined }),
        fc.boolean(),
        (filter, v, eventSpan, requestSpan, captured) => {
          const context =
            requestSpan === undefined
              ? ROOT_CONTEXT
              : trace.setSpanContext(ROOT_CONTEXT, requestSpan);
          const change = {
            value: v,
            context: captured ? new CapturedContext(context, 500) : undefined,
          } as unknown as MetricChange;
          const span =
            trustedModel(eventSpan) ?? (captured ? trustedModel(requestSpan) : undefined);
          const sampled = span !== undefined && (span.traceFlags & TraceFlags.SAMPLED) !== 0;
          const expected =
            v === undefined || !Number.isFinite(v) || (filter === 'trace_based' && !sampled)
              ? []
              : [
                  {
                    value: v,
                    time: captured ? 500 : 1_000,
                    traceId: span?.traceId ?? '',
                    spanId: span?.spanId ?? '',
                  },
                ];
          expect(offers(filter, change, eventSpan)).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('always_on without any span: an exemplar with empty ids, at the clock time', () => {
    const change = { value: 3, context: undefined } as unknown as MetricChange;
    expect(offers('always_on', change, undefined)).toEqual([
      { value: 3, time: 1_000, traceId: '', spanId: '' },
    ]);
  });

  it('trace_based: nothing without a span, nothing for an unsampled one, one for a sampled one', () => {
    const change = { value: 3, context: undefined } as unknown as MetricChange;
    const span = (traceFlags: number) => ({ traceId: validTrace, spanId: validSpan, traceFlags });
    expect(offers('trace_based', change, undefined)).toEqual([]);
    expect(offers('trace_based', change, span(TraceFlags.NONE))).toEqual([]);
    expect(offers('trace_based', change, span(TraceFlags.SAMPLED))).toEqual([
      { value: 3, time: 1_000, traceId: validTrace, spanId: validSpan },
    ]);
  });

  it('ids that are not strings are no span, even when their text is a valid id', () => {
    const change = { value: 3, context: undefined } as unknown as MetricChange;
    const text = (valid: string) => ({ toString: () => valid });
    for (const eventSpan of [
      { traceId: text(validTrace), spanId: validSpan, traceFlags: TraceFlags.SAMPLED },
      { traceId: validTrace, spanId: text(validSpan), traceFlags: TraceFlags.SAMPLED },
    ] as unknown as SpanContext[]) {
      expect(offers('trace_based', change, eventSpan)).toEqual([]);
      expect(offers('always_on', change, eventSpan)).toEqual([
        { value: 3, time: 1_000, traceId: '', spanId: '' },
      ]);
    }
  });

  it('non-finite values are never offered, whatever the filter and span', () => {
    const sampled = { traceId: validTrace, spanId: validSpan, traceFlags: TraceFlags.SAMPLED };
    for (const v of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, undefined]) {
      const change = { value: v, context: undefined } as unknown as MetricChange;
      expect(offers('always_on', change, sampled)).toEqual([]);
      expect(offers('trace_based', change, sampled)).toEqual([]);
    }
  });
});
