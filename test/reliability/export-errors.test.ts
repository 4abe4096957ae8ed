import { createServer } from 'node:net';
import { counter, MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline, type OtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { globalErrorHandler } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { oddThrownExamples } from '../support/odd-values.js';

// Item 8 of issue 13: OpenTelemetry has one global error handler; each live pipeline's onError
// gets export failures until that pipeline shuts down, whatever the others do.

const pipelines: OtelPipeline[] = [];
afterEach(async () => {
  await Promise.all(pipelines.splice(0).map((p) => p.shutdown()));
});

async function pipelineWith(errors: Error[], otlpPort?: number): Promise<OtelPipeline> {
  const pipeline = await createOtelPipeline({
    serviceName: 'errors',
    prometheus: false,
    registerGlobals: false,
    shutdownTimeoutMs: 500,
    onError: (error) => errors.push(error),
    otlp:
      otlpPort === undefined
        ? false
        : {
            metricsUrl: `http://127.0.0.1:${otlpPort}/v1/metrics`,
            tracesUrl: `http://127.0.0.1:${otlpPort}/v1/traces`,
            intervalMs: 100,
            timeoutMs: 100,
          },
  });
  pipelines.push(pipeline);
  return pipeline;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("export failures reach every live pipeline's onError", () => {
  it('keeps routing to B after A shuts down, and restores the default after the last one', async () => {
    const a: Error[] = [];
    const b: Error[] = [];
    const first = await pipelineWith(a);
    await pipelineWith(b);
    globalErrorHandler(new Error('both'));
    await first.shutdown();
    globalErrorHandler(new Error('only b'));
    expect(a.map((e) => e.message)).toEqual(['both']);
    expect(b.map((e) => e.message)).toEqual(['both', 'only b']);
    await Promise.all(pipelines.splice(0).map((p) => p.shutdown()));
    globalErrorHandler(new Error('nobody')); // OpenTelemetry's default (diag) again
    expect(b).toHaveLength(2);
  });

  it('hands odd thrown values to onError as errors, never throwing into the exporter', async () => {
    const errors: Error[] = [];
    await pipelineWith(errors);
    for (const make of Object.values(oddThrownExamples)) {
      expect(() => globalErrorHandler(make() as Error)).not.toThrow();
    }
    expect(errors).toHaveLength(Object.keys(oddThrownExamples).length);
    for (const error of errors) expect(error).toBeInstanceOf(Error);
  });

  it("still reports B's real OTLP export failures after A shut down", async () => {
    const port = await closedPort();
    const a: Error[] = [];
    const b: Error[] = [];
    const first = await pipelineWith(a, port);
    const second = await pipelineWith(b, port);
    // something to export, so B's reader has a request to fail
    const runtime = new MetricsRuntime({ namespace: 'errs', onError: () => {} });
    runtime.start();
    runtime.createRecorder('r', { metrics: () => [counter({ name: 'hits', on: 'x' })] });
    const bridge = attachOtelBridge(runtime, { meterProvider: second.meterProvider });
    await first.shutdown();
    const before = b.length;
    const deadline = Date.now() + 5_000;
    while (b.length === before && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    bridge.detach();
    await runtime.shutdown();
    expect(b.length).toBeGreaterThan(before);
  });
});
