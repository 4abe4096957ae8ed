// createOtelPipeline at two more edges (kept apart from pipeline-edges.test.ts, which a mutation
// run of src/pipeline had measured): a context manager installed before the pipeline, and a final
// metric export that never starts because the final collection outlasts shutdown's budget.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { counter, MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { budgetedPipeline, isolatedOtelEnv } from './otel-env-support.js';
import { startOtlpReceiver } from './otlp-receiver.js';

const { setEnv, cleanups } = isolatedOtelEnv();

function resetGlobals() {
  metrics.disable();
  trace.disable();
  propagation.disable();
  context.disable();
}
afterEach(resetGlobals);

describe('a pipeline beside a context manager installed before it', () => {
  it('takes exemplars from the spans active in that manager', async () => {
    resetGlobals();
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    const pipeline = await createOtelPipeline({
      serviceName: 's',
      otlp: false,
      prometheus: { listen: false },
    });
    cleanups.push(() => pipeline.shutdown());
    const runtime = new MetricsRuntime({ namespace: 'docs', scheduler: 'sync' });
    runtime.start();
    cleanups.push(() => runtime.shutdown());
    const bridge = attachOtelBridge(runtime, { meterProvider: pipeline.meterProvider });
    cleanups.push(bridge.detach);
    const recorder = runtime.createRecorder('r', {
      metrics: () => [counter({ name: 'hits', on: 'hit' })],
    });
    const traceId = pipeline.tracerProvider.getTracer('t').startActiveSpan('request', (span) => {
      recorder.registerEvent({ type: 'hit' });
      span.end();
      return span.spanContext().traceId;
    });
    const server: Server = createServer(pipeline.requestHandler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const body = await (
        await fetch(`http://127.0.0.1:${port}/metrics`, {
          headers: { accept: 'application/openmetrics-text;version=1.0.0' },
        })
      ).text();
      expect(body).toMatch(new RegExp(`^docs_hits_total\\{.*# \\{trace_id="${traceId}"`, 'm'));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('a final metric export that never starts', () => {
  it('is reported once, naming the budget, when the final collection outlasts it (a callback that never settles)', async () => {
    const collector = await startOtlpReceiver();
    cleanups.push(() => collector.close());
    const { pipeline, reports } = await budgetedPipeline(
      setEnv,
      collector.url,
      'metrics',
      3_600_000,
    );
    pipeline.meterProvider
      .getMeter('app')
      .createObservableGauge('app.stuck')
      .addCallback(() => new Promise<void>(() => {}));
    await pipeline.shutdown();
    expect(reports.map((r) => `${String(r.code)}: ${r.message}`)).toEqual([
      "export-failed: OTLP http/protobuf final metric export did not start within shutdown's budget (shutdownTimeoutMs, 300 ms); the data points since the last export were not exported",
    ]);
    expect(collector.requests).toEqual([]);
  });
});
