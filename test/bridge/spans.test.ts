import { counter, histogram, type MetricChange, MetricsRuntime } from '@mvx-metrics/core';
import { DocumentCountChanged } from '@mvx-metrics/examples';
import { attachOtelBridge, CapturedContext, createMetricProducer } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { context, trace } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentMetrics, ExampleStorage } from './example-storage.js';
import { cleanUpAfterEach } from './helpers.js';

// The pipeline installs the AsyncLocalStorage context manager, so context.with(...) works.
let stopPipeline: () => Promise<void>;
beforeAll(async () => {
  const pipeline = await createOtelPipeline({
    serviceName: 'spans-test',
    prometheus: false,
    otlp: false,
  });
  stopPipeline = () => pipeline.shutdown();
});
afterAll(() => stopPipeline());

const { cleanups, errors } = cleanUpAfterEach();

function setup(sampler?: ParentBasedSampler) {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    ...(sampler === undefined ? {} : { sampler }),
  });
  const runtime = new MetricsRuntime({ namespace: 'docs', onError: errors.onError });
  runtime.start();
  let now = 1_700_000_000_000;
  const clock = () => now;
  const advance = (ms: number) => {
    now += ms;
  };
  const bridge = attachOtelBridge(runtime, {
    metricProducer: createMetricProducer(),
    tracerProvider,
    spans: true,
    clock,
  });
  cleanups.push(
    () => tracerProvider.shutdown(),
    () => runtime.shutdown(),
    bridge.detach,
  );
  const tracer = tracerProvider.getTracer('test');
  return { exporter, runtime, tracer, bridge, advance };
}

describe('event spans', () => {
  it('turns each accepted event into one child span of the request span, started at registration', async () => {
    const { exporter, runtime, tracer, advance } = setup();
    const recorder = runtime.createRecorder('document_storage', { metrics: documentMetrics });
    const storage = new ExampleStorage(recorder);
    const request = tracer.startSpan('PUT /documents/a');
    await context.with(trace.setSpan(context.active(), request), () =>
      storage.save('a', 'hello', 0.01),
    );
    advance(25);
    await recorder.flush();
    request.end();

    const spans = exporter.getFinishedSpans().filter((s) => s.name !== 'PUT /documents/a');
    // save() registers three events: the attempt (accepted by three metrics), the count, the usage
    expect(spans.map((s) => s.name)).toEqual([
      'DocumentSaveAttempt',
      'DocumentCountChanged',
      'StorageUsageMeasured',
    ]);
    for (const span of spans) {
      expect(span.spanContext().traceId).toBe(request.spanContext().traceId);
      expect(span.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
      expect(span.startTime).toEqual([1_700_000_000, 0]);
      expect(span.endTime).toEqual([1_700_000_000, 25_000_000]);
    }
    expect(spans[0]?.attributes).toMatchObject({
      outcome: 'success',
      recorder: 'document_storage',
    });
    expect(spans[0]?.attributes['mvx.metrics']).toEqual([
      'document.save.attempts',
      'document.save.duration',
      'document.save.results',
    ]);
    expect(spans[1]?.attributes['mvx.metrics']).toEqual(['documents.stored']);
  });

  it('shares one registration time per request context until a processing batch, then reads the clock again', async () => {
    const { exporter, runtime, tracer, advance } = setup();
    const recorder = runtime.createRecorder('r', {
      metrics: () => [counter({ name: 'pings', on: 'ping' })],
    });
    const request = tracer.startSpan('request');
    const inRequest = trace.setSpan(context.active(), request);
    context.with(inRequest, () => recorder.registerEvent({ type: 'ping' }));
    advance(5);
    context.with(inRequest, () => recorder.registerEvent({ type: 'ping' }));
    await recorder.flush();
    // the same context after the batch: a new capture with its own time, not the stale one
    advance(7);
    context.with(inRequest, () => recorder.registerEvent({ type: 'ping' }));
    advance(3);
    context.with(inRequest, () => recorder.registerEvent({ type: 'ping' }));
    await recorder.flush();
    request.end();
    const starts = exporter
      .getFinishedSpans()
      .filter((s) => s.name === 'ping')
      .map((s) => s.startTime);
    expect(starts).toEqual([
      [1_700_000_000, 0],
      [1_700_000_000, 0],
      [1_700_000_000, 12_000_000],
      [1_700_000_000, 12_000_000],
    ]);
  });

  it('makes no span for events registered outside any span', async () => {
    const { exporter, runtime } = setup();
    const recorder = runtime.createRecorder('r', { metrics: documentMetrics });
    const contexts: unknown[] = [];
    recorder.onChange((change: MetricChange) => contexts.push(change.context));
    await new ExampleStorage(recorder).save('a', 'x');
    await recorder.flush();
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(contexts.every((c) => c === undefined)).toBe(true);
  });

  it('makes one span per registration even when the same event object is registered twice', async () => {
    const { exporter, runtime, tracer } = setup();
    const recorder = runtime.createRecorder('r', {
      metrics: () => [counter({ name: 'pings', on: 'ping' })],
    });
    const ping = Object.freeze({ type: 'ping' });
    tracer.startActiveSpan('request', (span) => {
      recorder.registerEvent(ping);
      recorder.registerEvent(ping);
      span.end();
    });
    await recorder.flush();
    expect(exporter.getFinishedSpans().filter((s) => s.name === 'ping')).toHaveLength(2);
  });

  it('follows the parent’s sampling decision', async () => {
    const { exporter, runtime, tracer } = setup(
      new ParentBasedSampler({ root: new AlwaysOffSampler() }),
    );
    const recorder = runtime.createRecorder('r', { metrics: documentMetrics });
    await tracer.startActiveSpan('unsampled request', async (span) => {
      expect(span.isRecording()).toBe(false);
      await new ExampleStorage(recorder).save('a', 'x');
      span.end();
    });
    await recorder.flush();
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('passes the captured context to histogram records on the instruments path', async () => {
    const runtime = new MetricsRuntime({ namespace: 'docs', scheduler: 'sync' });
    runtime.start();
    cleanups.push(() => runtime.shutdown());
    const recorded: unknown[] = [];
    const fakeHistogram = { record: (_v: number, _a: unknown, ctx: unknown) => recorded.push(ctx) };
    const meter = {
      createHistogram: () => fakeHistogram,
      createObservableCounter: () => ({}),
      createObservableUpDownCounter: () => ({}),
      createObservableGauge: () => ({}),
      addBatchObservableCallback: () => {},
      removeBatchObservableCallback: () => {},
    };
    const bridge = attachOtelBridge(runtime, { meterProvider: { getMeter: () => meter } as never });
    cleanups.push(bridge.detach);
    const recorder = runtime.createRecorder('r', {
      metrics: () => [
        histogram({ name: 'latency', on: 'req', value: (e: { ms: number }) => e.ms }),
      ],
    });
    const tracer = new TracerProvider().getTracer('t');
    const span = tracer.startSpan('request');
    const active = trace.setSpan(context.active(), span);
    context.with(active, () => recorder.registerEvent({ type: 'req', ms: 3 }));
    recorder.registerEvent({ type: 'req', ms: 4 });
    expect(recorded).toEqual([active, undefined]);
  });

  it('removes the capturer on detach', async () => {
    const { runtime, tracer, bridge } = setup();
    const recorder = runtime.createRecorder('r', { metrics: documentMetrics });
    const contexts: unknown[] = [];
    recorder.onChange((change: MetricChange) => contexts.push(change.context));
    tracer.startActiveSpan('before', (span) => {
      recorder.registerEvent(new DocumentCountChanged(1));
      span.end();
    });
    await recorder.flush();
    bridge.detach();
    tracer.startActiveSpan('after', (span) => {
      recorder.registerEvent(new DocumentCountChanged(1));
      span.end();
    });
    await recorder.flush();
    expect(contexts[0]).toBeInstanceOf(CapturedContext);
    expect(contexts).toHaveLength(2);
    expect(contexts[1]).toBeUndefined();
  });
});
