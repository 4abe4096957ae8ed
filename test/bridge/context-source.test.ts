import { counter, type MetricChange, MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge, CapturedContext, createMetricProducer } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { type Context, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';

// The capturer asks the pipeline's context manager directly while it is the global one; once the
// API's global is disabled and another manager installed, it must follow the new global.

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function bridgedRecorder() {
  const runtime = new MetricsRuntime({ namespace: 'ctx', scheduler: 'sync' });
  runtime.start();
  const bridge = attachOtelBridge(runtime, {
    metricProducer: createMetricProducer(),
    captureContext: true,
  });
  cleanups.push(
    () => runtime.shutdown(),
    () => bridge.detach(),
  );
  const recorder = runtime.createRecorder('r', {
    metrics: () => [counter({ name: 'pings', on: 'ping' })],
  });
  const captured: Array<Context | undefined> = [];
  recorder.onChange((change: MetricChange) =>
    captured.push(change.context instanceof CapturedContext ? change.context.context : undefined),
  );
  return { recorder, captured };
}

describe('the context the capturer reads', () => {
  it('is the span context made active through the API, with the pipeline’s manager installed and after it is replaced', async () => {
    const pipeline = await createOtelPipeline({
      serviceName: 'ctx',
      prometheus: false,
      otlp: false,
    });
    let pipelineDown = false;
    cleanups.push(() => (pipelineDown ? undefined : pipeline.shutdown()));
    const { recorder, captured } = bridgedRecorder();
    const tracer = new TracerProvider().getTracer('t');
    const inRequest = (name: string) => trace.setSpan(context.active(), tracer.startSpan(name));

    const first = inRequest('first');
    context.with(first, () => recorder.registerEvent({ type: 'ping' }));
    recorder.registerEvent({ type: 'ping' });

    // The pipeline's manager leaves service (its shutdown disables the API's global) and another
    // manager becomes the global one: captures follow it.
    await pipeline.shutdown();
    pipelineDown = true;
    const replacement = new AsyncLocalStorageContextManager().enable();
    expect(context.setGlobalContextManager(replacement)).toBe(true);
    cleanups.push(() => context.disable());
    const second = inRequest('second');
    context.with(second, () => recorder.registerEvent({ type: 'ping' }));
    recorder.registerEvent({ type: 'ping' });

    expect(captured).toEqual([first, undefined, second, undefined]);
  });
});
