import type { MetricChange } from '@mvx-metrics/core';
import {
  type Context,
  ROOT_CONTEXT,
  type SpanContext,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  type SpanLimits,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { CapturedContext } from './context-capture.js';
import { EventSpans, METRICS_ATTRIBUTE } from './event-spans.js';

// EventSpans on its own, fed the changes a recorder hands its hook, with the SDK's tracer.

const providers: TracerProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((provider) => provider.shutdown()));
});

function setup(options: { sampler?: ParentBasedSampler; spanLimits?: SpanLimits } = {}) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    ...options,
  });
  providers.push(provider);
  const spans = new EventSpans(provider.getTracer('test'), () => 2_000).forRecorder({
    extraAttributes: { recorder: 'storage' },
  });
  return { exporter, spans };
}

const parent = (spanId: string, sampled: boolean): SpanContext => ({
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId,
  traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
});
const captureIn = (span: SpanContext): CapturedContext =>
  new CapturedContext(trace.setSpanContext(ROOT_CONTEXT as Context, span), 1_000);
const metric = (name: string) => ({ name });
const change = (
  event: object,
  context: CapturedContext,
  of: { name: string },
  attributes?: Record<string, string>,
): MetricChange =>
  ({ event, context, metric: of, attributes, value: 1 }) as unknown as MetricChange;

describe('EventSpans', () => {
  it("hands exemplars the event span's context only when that span is sampled", () => {
    const { exporter, spans } = setup({
      sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }),
    });
    const saves = metric('saves');
    // Under an unsampled request the event's span is not sampled either: nothing for an exemplar
    // to point at (the exemplar falls back to the request's own ids).
    expect(
      spans.onChange(change({}, captureIn(parent('b7ad6b7169203331', false)), saves)),
    ).toBeUndefined();
    // Under a sampled one: the event span's own context, the one exported.
    const sampled = spans.onChange(change({}, captureIn(parent('b7ad6b7169203332', true)), saves));
    spans.flush();
    const exported = exporter.getFinishedSpans();
    expect(exported).toHaveLength(1);
    expect(sampled).toEqual(exported[0]?.spanContext());
    expect(sampled?.spanId).not.toBe('b7ad6b7169203332');
  });

  it('opens a span of its own for each registration: the same event object in another request starts another span, even for a metric the open one has not seen', () => {
    const { exporter, spans } = setup();
    const event = { type: 'save' };
    spans.onChange(change(event, captureIn(parent('aaaaaaaaaaaaaaa1', true)), metric('attempts')));
    spans.onChange(change(event, captureIn(parent('aaaaaaaaaaaaaaa2', true)), metric('results')));
    spans.flush();
    const exported = exporter.getFinishedSpans();
    expect(exported.map((span) => span.parentSpanContext?.spanId)).toEqual([
      'aaaaaaaaaaaaaaa1',
      'aaaaaaaaaaaaaaa2',
    ]);
    expect(exported.map((span) => span.attributes[METRICS_ATTRIBUTE])).toEqual([
      ['attempts'],
      ['results'],
    ]);
  });

  it("puts the recorder's own attributes first, so an attribute count limit keeps them over the point's", () => {
    const { exporter, spans } = setup({ spanLimits: { attributeCountLimit: 1 } });
    spans.onChange(
      change({}, captureIn(parent('aaaaaaaaaaaaaaa1', true)), metric('saves'), {
        outcome: 'ok',
        size: 'large',
      }),
    );
    spans.flush();
    const [span] = exporter.getFinishedSpans();
    expect(span?.attributes).toEqual({ recorder: 'storage' });
    expect(span?.droppedAttributesCount).toBe(3);
  });
});
