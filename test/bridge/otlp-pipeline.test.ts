import { MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { context, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { documentMetrics, ExampleStorage } from './example-storage.js';
import { cleanUpAfterEach } from './helpers.js';
import { attributesOf, type OtlpReceiver, startOtlpReceiver } from './otlp-receiver.js';

const { cleanups, errors } = cleanUpAfterEach();

// biome-ignore lint/suspicious/noExplicitAny: decoded OTLP JSON
type Json = any;

async function receiver(options?: { hang?: boolean }): Promise<OtlpReceiver> {
  const r = await startOtlpReceiver(options);
  cleanups.push(() => r.close());
  return r;
}

describe('OTLP/HTTP export', () => {
  it('sends metric values and the resource to the collector, and event spans under the request span', async () => {
    const collector = await receiver();
    const pipeline = await createOtelPipeline({
      serviceName: 'document-service',
      serviceInstanceId: 'instance-42',
      prometheus: false,
      otlp: {
        metricsUrl: `${collector.url}/v1/metrics`,
        tracesUrl: `${collector.url}/v1/traces`,
        intervalMs: 60_000,
      },
    });
    cleanups.push(() => pipeline.shutdown());
    const runtime = new MetricsRuntime({ namespace: 'docs', onError: errors.onError });
    runtime.start();
    cleanups.push(() => runtime.shutdown());
    const bridge = attachOtelBridge(runtime, {
      meterProvider: pipeline.meterProvider,
      tracerProvider: pipeline.tracerProvider,
      spans: true,
    });
    cleanups.push(bridge.detach);
    const recorder = runtime.createRecorder('document_storage', { metrics: documentMetrics });
    const storage = new ExampleStorage(recorder);

    const request = pipeline.tracerProvider.getTracer('http').startSpan('PUT /documents/a');
    await context.with(trace.setSpan(context.active(), request), async () => {
      await storage.save('a', 'hello', 0.02);
      await storage.save('b', 'hi', 0.3);
    });
    request.end();
    await recorder.flush();
    await pipeline.meterProvider.forceFlush();
    await pipeline.tracerProvider.forceFlush();

    const metricsBody: Json = collector.bodies.get('/v1/metrics')?.[0];
    expect(metricsBody).toBeDefined();
    const resource = attributesOf(metricsBody.resourceMetrics[0].resource.attributes);
    expect(resource).toMatchObject({
      'service.name': 'document-service',
      'service.instance.id': 'instance-42',
    });
    const scope = metricsBody.resourceMetrics[0].scopeMetrics.find(
      (s: Json) => s.scope.name === 'docs',
    );
    const metric = (name: string) => scope.metrics.find((m: Json) => m.name === name);
    const attempts = metric('docs.document.save.attempts');
    expect(attempts.sum.isMonotonic).toBe(true);
    const success = attempts.sum.dataPoints.find(
      (p: Json) => attributesOf(p.attributes).outcome === 'success',
    );
    expect(success.asDouble).toBe(2);
    expect(attributesOf(success.attributes).recorder).toBe('document_storage');
    const duration = metric('docs.document.save.duration').histogram.dataPoints.find(
      (p: Json) => attributesOf(p.attributes).outcome === 'success',
    );
    expect(Number(duration.count)).toBe(2);
    expect(duration.sum).toBeCloseTo(0.32);
    expect(duration.explicitBounds).toEqual([
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]);
    expect(duration.bucketCounts.map(Number)).toEqual([0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0]);

    const spans: Json[] = (collector.bodies.get('/v1/traces') ?? []).flatMap((body: Json) =>
      body.resourceSpans.flatMap((rs: Json) => rs.scopeSpans.flatMap((ss: Json) => ss.spans)),
    );
    const traceBody: Json = collector.bodies.get('/v1/traces')?.[0];
    expect(
      attributesOf(traceBody.resourceSpans[0].resource.attributes)['service.instance.id'],
    ).toBe('instance-42');
    const requestSpan = spans.find((s) => s.name === 'PUT /documents/a');
    const eventSpans = spans.filter((s) => s.name !== 'PUT /documents/a');
    expect(requestSpan.spanId).toBe(request.spanContext().spanId);
    expect(eventSpans).toHaveLength(6);
    for (const span of eventSpans) {
      expect(span.traceId).toBe(request.spanContext().traceId);
      expect(span.parentSpanId).toBe(request.spanContext().spanId);
    }
    // each save registers an attempt, a count change and a usage measurement (class names)
    expect(eventSpans.map((s) => s.name).sort()).toEqual(
      ['DocumentCountChanged', 'DocumentSaveAttempt', 'StorageUsageMeasured'].flatMap((n) => [
        n,
        n,
      ]),
    );
  });

  it('shuts down within its timeout when the collector never answers, and a second shutdown is the same', async () => {
    const blackhole = await receiver({ hang: true });
    const pipeline = await createOtelPipeline({
      serviceName: 's',
      prometheus: false,
      registerGlobals: false,
      shutdownTimeoutMs: 300,
      otlp: {
        metricsUrl: `${blackhole.url}/v1/metrics`,
        tracesUrl: `${blackhole.url}/v1/traces`,
        intervalMs: 60_000,
      },
    });
    const runtime = new MetricsRuntime({ namespace: 'docs', scheduler: 'sync' });
    runtime.start();
    cleanups.push(() => runtime.shutdown());
    attachOtelBridge(runtime, { meterProvider: pipeline.meterProvider });
    await new ExampleStorage(runtime.createRecorder('r', { metrics: documentMetrics })).save(
      'a',
      'x',
    );
    const first = pipeline.shutdown();
    expect(pipeline.shutdown()).toBe(first);
    await expect(first).resolves.toBeUndefined();
  });

  it('survives an unreachable collector without unhandled rejections', async () => {
    const gone = await startOtlpReceiver();
    await gone.close(); // its port now refuses connections
    const pipeline = await createOtelPipeline({
      serviceName: 's',
      prometheus: false,
      registerGlobals: false,
      shutdownTimeoutMs: 1_000,
      otlp: {
        metricsUrl: `${gone.url}/v1/metrics`,
        tracesUrl: `${gone.url}/v1/traces`,
        intervalMs: 50,
        timeoutMs: 50,
      },
    });
    const runtime = new MetricsRuntime({ namespace: 'docs', scheduler: 'sync' });
    runtime.start();
    cleanups.push(() => runtime.shutdown());
    attachOtelBridge(runtime, {
      meterProvider: pipeline.meterProvider,
      tracerProvider: pipeline.tracerProvider,
    });
    await new ExampleStorage(runtime.createRecorder('r', { metrics: documentMetrics })).save(
      'a',
      'x',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    await pipeline.meterProvider.forceFlush().catch(() => {});
    await expect(pipeline.shutdown()).resolves.toBeUndefined();
  });
});
