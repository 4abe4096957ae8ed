import { MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { afterEach, describe, expect, it } from 'vitest';
import { documentMetrics, ExampleStorage } from './example-storage.js';
import { startOtlpReceiver } from './otlp-receiver.js';

const VARIABLES = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
] as const;
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

function clearVariables(): void {
  for (const name of VARIABLES) delete process.env[name];
}

describe('OTLP configuration', () => {
  it('is off when neither the otlp option nor OTEL_EXPORTER_OTLP_ENDPOINT asks for it', async () => {
    clearVariables();
    const pipeline = await createOtelPipeline({
      serviceName: 's',
      prometheus: false,
      registerGlobals: false,
    });
    cleanups.push(() => pipeline.shutdown());
    expect(pipeline.otlpEnabled).toBe(false);
  });

  it('follows OTEL_EXPORTER_OTLP_ENDPOINT: the final export on shutdown reaches that collector', async () => {
    clearVariables();
    const collector = await startOtlpReceiver();
    cleanups.push(() => collector.close());
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = collector.url;
    const pipeline = await createOtelPipeline({
      serviceName: 'env-service',
      prometheus: false,
      registerGlobals: false,
    });
    expect(pipeline.otlpEnabled).toBe(true);
    const runtime = new MetricsRuntime({ namespace: 'docs' });
    runtime.start();
    attachOtelBridge(runtime, { meterProvider: pipeline.meterProvider });
    const recorder = runtime.createRecorder('document_storage', { metrics: documentMetrics });
    await new ExampleStorage(recorder).save('a', 'hello', 0.01);
    await runtime.shutdown();
    await pipeline.shutdown();
    const sent = JSON.stringify(collector.bodies.get('/v1/metrics') ?? []);
    expect(sent).toContain('docs.document.save.attempts');
    expect(sent).toContain('env-service');
  });

  it('rejects a malformed endpoint, in the environment or in options, naming it', async () => {
    clearVariables();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'not a url';
    await expect(
      createOtelPipeline({ serviceName: 's', prometheus: false, registerGlobals: false }),
    ).rejects.toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL.*"not a url"/);
    clearVariables();
    await expect(
      createOtelPipeline({
        serviceName: 's',
        prometheus: false,
        registerGlobals: false,
        otlp: { metricsUrl: 'ftp://collector' },
      }),
    ).rejects.toThrow(/otlp\.metricsUrl must be an http\(s\) URL/);
  });
});

describe('OTLP export failures', () => {
  it('reach the onError option while the collector is down, and every interval keeps running', async () => {
    clearVariables();
    const gone = await startOtlpReceiver();
    await gone.close(); // its port now refuses connections
    const failures: Error[] = [];
    const pipeline = await createOtelPipeline({
      serviceName: 's',
      prometheus: false,
      registerGlobals: false,
      otlp: {
        metricsUrl: `${gone.url}/v1/metrics`,
        tracesUrl: `${gone.url}/v1/traces`,
        intervalMs: 100,
      },
      onError: (error) => failures.push(error),
    });
    cleanups.push(() => pipeline.shutdown());
    const runtime = new MetricsRuntime({ namespace: 'docs' });
    runtime.start();
    cleanups.push(() => runtime.shutdown());
    attachOtelBridge(runtime, { meterProvider: pipeline.meterProvider });
    const recorder = runtime.createRecorder('document_storage', { metrics: documentMetrics });
    await new ExampleStorage(recorder).save('a', 'hello', 0.01);
    const deadline = Date.now() + 10_000;
    while (failures.length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(failures[0]?.message).toMatch(/export/i);
  });
});
