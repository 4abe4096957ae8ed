import { counter, MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge, createMetricProducer } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import {
  type Attributes,
  context,
  propagation,
  TraceFlags,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanLimits } from '@opentelemetry/sdk-trace';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedOtelEnv, type Json } from './otel-env-support.js';
import { type OtlpReceiver, startOtlpReceiver } from './otlp-receiver.js';

// Span limits: the same spans (the bridge's event spans and a user's own, with events and links)
// through NodeSDK's TracerProvider (sdk-node 0.223) and through the pipeline's, for the same
// environment and `spanLimits` option, both exported over OTLP/protobuf to one receiver and
// decoded with OpenTelemetry's protobuf definitions.

const { setEnv, cleanups } = isolatedOtelEnv();
let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  // context.with(...) needs a manager; NodeSDK's own, when it installs one, is the same class.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(async () => {
  context.disable();
  await receiver.close();
});

/** One event the production code registers inside a request span, and a span of the user's own. */
interface Workload {
  readonly eventAttributes: Record<string, string>;
  readonly spanAttributes: Attributes;
  readonly events: ReadonlyArray<{ name: string; attributes: Attributes }>;
  readonly links: ReadonlyArray<Attributes>;
}

const LINKED = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
};

async function runWorkload(provider: TracerProvider, workload: Workload): Promise<void> {
  const runtime = new MetricsRuntime({ namespace: 'lim', onError: () => {} });
  runtime.start();
  const bridge = attachOtelBridge(runtime, {
    metricProducer: createMetricProducer(),
    tracerProvider: provider,
    spans: true,
  });
  const recorder = runtime.createRecorder('rec', {
    metrics: [
      counter({
        name: 'events',
        on: 'e',
        attributes: (e) => (e as { attributes: Record<string, string> }).attributes,
      }),
    ],
  });
  const tracer = provider.getTracer('limits-test');
  const request = tracer.startSpan('request', {
    attributes: workload.spanAttributes,
    links: workload.links.map((attributes) => ({ context: LINKED, attributes })),
  });
  for (const { name, attributes } of workload.events) request.addEvent(name, attributes);
  context.with(trace.setSpan(context.active(), request), () =>
    recorder.registerEvent({ type: 'e', attributes: workload.eventAttributes }),
  );
  await recorder.flush();
  request.end();
  await runtime.shutdown();
  bridge.detach();
}

/** What a span's limits decide, from the decoded OTLP request: attributes, events, links, drops. */
function limitedShape(bodies: Json[]): Json[] {
  const attrs = (list: Json[] | undefined) =>
    [...(list ?? [])].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const spans = bodies.flatMap((body) =>
    body.resourceSpans.flatMap((rs: Json) => rs.scopeSpans.flatMap((ss: Json) => ss.spans)),
  );
  return spans
    .map((span: Json) => ({
      name: span.name,
      attributes: attrs(span.attributes),
      droppedAttributesCount: span.droppedAttributesCount ?? 0,
      events: (span.events ?? []).map((e: Json) => ({
        name: e.name,
        attributes: attrs(e.attributes),
        droppedAttributesCount: e.droppedAttributesCount ?? 0,
      })),
      droppedEventsCount: span.droppedEventsCount ?? 0,
      links: (span.links ?? []).map((l: Json) => ({
        attributes: attrs(l.attributes),
        droppedAttributesCount: l.droppedAttributesCount ?? 0,
      })),
      droppedLinksCount: span.droppedLinksCount ?? 0,
    }))
    .sort((a: Json, b: Json) => (a.name < b.name ? -1 : 1));
}

function takeSpans(): Json[] {
  const bodies = (receiver.bodies.get('/v1/traces') ?? []) as Json[];
  receiver.bodies.clear();
  receiver.requests.length = 0;
  return limitedShape(bodies);
}

const TRACES = () => ({
  OTEL_TRACES_EXPORTER: 'otlp',
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
  OTEL_METRICS_EXPORTER: 'none',
  OTEL_LOGS_EXPORTER: 'none',
});

/** NodeSDK as a user starts it, with `env` and `spanLimits`; the spans it exported. */
async function throughNodeSdk(
  env: Record<string, string>,
  workload: Workload,
  spanLimits?: SpanLimits,
): Promise<Json[]> {
  setEnv({ ...env, ...TRACES() });
  const sdk = new NodeSDK({
    autoDetectResources: false,
    instrumentations: [],
    ...(spanLimits === undefined ? {} : { spanLimits }),
  });
  sdk.start();
  try {
    await runWorkload(trace.getTracerProvider(), workload);
  } finally {
    await sdk.shutdown();
    trace.disable();
    propagation.disable();
  }
  return takeSpans();
}

/** The pipeline with the same `env` and `spanLimits`; its spans and its reports. */
async function throughPipeline(
  env: Record<string, string>,
  workload: Workload,
  spanLimits?: SpanLimits,
): Promise<{ spans: Json[]; reports: string[] }> {
  setEnv({ ...env, ...TRACES() });
  const reports: string[] = [];
  const pipeline = await createOtelPipeline({
    serviceName: 'limits',
    prometheus: false,
    registerGlobals: false,
    onError: (error) => reports.push(error.message),
    ...(spanLimits === undefined ? {} : { spanLimits }),
  });
  cleanups.push(() => pipeline.shutdown());
  try {
    await runWorkload(pipeline.tracerProvider, workload);
  } finally {
    await pipeline.shutdown();
  }
  return { spans: takeSpans(), reports };
}

function clearEnv(names: Iterable<string>): void {
  for (const name of names) delete process.env[name];
}

const LONG = 'x'.repeat(1024);
const issueWorkload: Workload = {
  eventAttributes: { outcome: 'success', document: LONG, size: 'large' },
  spanAttributes: { 'http.route': '/documents/:id', body: LONG, tags: ['a'.repeat(40), 'b'] },
  events: [{ name: 'retry', attributes: { attempt: '1', reason: LONG, extra: 'e' } }],
  links: [{ why: LONG, a: '1', b: '2' }],
};

describe('span limits: the pipeline applies them as NodeSDK does', () => {
  it('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT=10, OTEL_ATTRIBUTE_COUNT_LIMIT=2: the same spans as NodeSDK, truncated', async () => {
    const env = { OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '10', OTEL_ATTRIBUTE_COUNT_LIMIT: '2' };
    const expected = await throughNodeSdk(env, issueWorkload);
    const { spans, reports } = await throughPipeline(env, issueWorkload);
    expect(spans).toEqual(expected);
    expect(reports).toEqual([]);
    // Not merely equal: the event span (recorder, three point attributes, mvx.metrics) is cut.
    const eventSpan = spans.find((s: Json) => s.name !== 'request');
    expect(eventSpan.attributes).toHaveLength(2);
    expect(eventSpan.droppedAttributesCount).toBe(3);
    for (const { value } of eventSpan.attributes) {
      if (value.stringValue !== undefined) expect(value.stringValue.length).toBeLessThanOrEqual(10);
    }
  });

  it('the OTEL_SPAN_ variables win over the general ones, and the event and link limits apply', async () => {
    const env = {
      OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '10',
      OTEL_ATTRIBUTE_COUNT_LIMIT: '2',
      OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '20',
      OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '3',
      OTEL_SPAN_EVENT_COUNT_LIMIT: '1',
      OTEL_SPAN_LINK_COUNT_LIMIT: '1',
      OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT: '1',
      OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT: '1',
    };
    const workload = {
      ...issueWorkload,
      events: [...issueWorkload.events, { name: 'second', attributes: { p: '1', q: '2' } }],
      links: [...issueWorkload.links, { c: '3' }],
    };
    const expected = await throughNodeSdk(env, workload);
    const { spans } = await throughPipeline(env, workload);
    expect(spans).toEqual(expected);
    const request = spans.find((s: Json) => s.name === 'request');
    expect(request).toMatchObject({ droppedEventsCount: 1, droppedLinksCount: 1 });
    // The SDK keeps the newest event and link once their limit is reached.
    expect(request.events).toMatchObject([{ name: 'second', droppedAttributesCount: 1 }]);
    expect(request.events[0].attributes).toHaveLength(1);
    expect(request.attributes).toHaveLength(3);
  });

  it('the spanLimits option wins over the environment, field by field, as NodeSDK’s does', async () => {
    const env = { OTEL_ATTRIBUTE_COUNT_LIMIT: '2', OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '5' };
    const limits = { attributeCountLimit: 4 };
    const expected = await throughNodeSdk(env, issueWorkload, limits);
    const { spans } = await throughPipeline(env, issueWorkload, limits);
    expect(spans).toEqual(expected);
    const eventSpan = spans.find((s: Json) => s.name !== 'request');
    expect(eventSpan.attributes).toHaveLength(4);
    expect(eventSpan.attributes.find((a: Json) => a.key === 'document').value.stringValue).toBe(
      'xxxxx',
    );
  });

  it('a value that is no number is ignored as NodeSDK ignores it, and reported', async () => {
    const env = { OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: 'three', OTEL_ATTRIBUTE_COUNT_LIMIT: '2' };
    const expected = await throughNodeSdk(env, issueWorkload);
    const { spans, reports } = await throughPipeline(env, issueWorkload);
    expect(spans).toEqual(expected);
    expect(reports).toEqual([
      'createOtelPipeline: OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT="three" is invalid (expected a whole number of at least 0); using the default 128.',
    ]);
  });

  const VARIABLES = [
    'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT',
    'OTEL_ATTRIBUTE_COUNT_LIMIT',
    'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT',
    'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT',
    'OTEL_SPAN_EVENT_COUNT_LIMIT',
    'OTEL_SPAN_LINK_COUNT_LIMIT',
    'OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT',
    'OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT',
  ];
  const limitValue = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 6 }).map(String) },
    fc.constantFrom('', ' 3 ', 'abc', '-1', '2.5', '1e1', 'Infinity', '0x2'),
  );
  const keys = fc.oneof(
    fc.constantFrom('a', 'b', 'outcome', 'http.route', 'toString', 'constructor', 'valueOf'),
    fc.string({ minLength: 1, maxLength: 6 }),
  );
  const text = fc.string({ maxLength: 24 });
  const attributes = fc.dictionary(keys, fc.oneof(text, fc.array(text, { maxLength: 3 })), {
    maxKeys: 6,
  });
  const workload: fc.Arbitrary<Workload> = fc.record({
    eventAttributes: fc.dictionary(keys, text, { maxKeys: 6 }),
    spanAttributes: attributes,
    events: fc.array(fc.record({ name: fc.string({ maxLength: 5 }), attributes }), {
      maxLength: 4,
    }),
    links: fc.array(attributes, { maxLength: 4 }),
  });
  const optionLimits: fc.Arbitrary<SpanLimits | undefined> = fc.option(
    fc.record(
      {
        attributeCountLimit: fc.integer({ min: 0, max: 6 }),
        attributeValueLengthLimit: fc.oneof(
          fc.integer({ min: 0, max: 20 }),
          fc.constant(Number.POSITIVE_INFINITY),
        ),
        eventCountLimit: fc.integer({ min: 0, max: 4 }),
        linkCountLimit: fc.integer({ min: 0, max: 4 }),
        attributePerEventCountLimit: fc.integer({ min: 0, max: 4 }),
        attributePerLinkCountLimit: fc.integer({ min: 0, max: 4 }),
      },
      { requiredKeys: [] },
    ),
    { nil: undefined },
  );

  it('any limits (environment and option) and any spans: what NodeSDK exports', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom(...VARIABLES), limitValue),
        optionLimits,
        workload,
        async (env, limits, work) => {
          clearEnv(VARIABLES);
          const expected = await throughNodeSdk(env, work, limits);
          clearEnv(VARIABLES);
          const { spans } = await throughPipeline(env, work, limits);
          expect(expected.map((span: Json) => span.name)).toEqual(['e', 'request']);
          expect(spans).toEqual(expected);
        },
      ),
      { numRuns: 40, endOnFailure: true },
    );
  }, 120_000);
});
