import { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { describe, expect, it } from 'vitest';
import { isolatedOtelEnv, runWorkload, until } from './otel-env-support.js';
import { startOtlpReceiver } from './otlp-receiver.js';

const { setEnv, cleanups } = isolatedOtelEnv();

async function collector(options?: { hang?: boolean }) {
  const receiver = await startOtlpReceiver(options);
  cleanups.push(() => receiver.close());
  return receiver;
}

async function pipelineFromEnv(options: Parameters<typeof createOtelPipeline>[0] = {}) {
  const pipeline = await createOtelPipeline({ serviceName: 's', prometheus: false, ...options });
  cleanups.push(() => pipeline.shutdown());
  return pipeline;
}

describe('OTLP configured by the environment', () => {
  it('is off when neither the otlp option nor any OTLP variable asks for it', async () => {
    const pipeline = await pipelineFromEnv();
    expect(pipeline.otlpEnabled).toBe(false);
    expect(pipeline.exporters).toEqual({ metrics: [], traces: [], protocols: {} });
  });

  it('OTEL_EXPORTER_OTLP_ENDPOINT: both signals go to <endpoint>/v1/metrics and /v1/traces', async () => {
    const receiver = await collector();
    setEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    const pipeline = await pipelineFromEnv();
    const workload = await runWorkload(pipeline, cleanups);
    await workload.flush();
    expect(pipeline.exporters.metrics).toEqual(['otlp']);
    expect(pipeline.exporters.traces).toEqual(['otlp']);
    expect(new Set(receiver.requests.map((r) => r.path))).toEqual(
      new Set(['/v1/metrics', '/v1/traces']),
    );
  });

  it('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT alone exports metrics only (no trace export anywhere)', async () => {
    const receiver = await collector();
    setEnv({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${receiver.url}/metrics-in` });
    const pipeline = await pipelineFromEnv();
    const workload = await runWorkload(pipeline, cleanups);
    await workload.flush();
    expect(pipeline.exporters).toEqual({
      metrics: ['otlp'],
      traces: [],
      protocols: { metrics: 'http/protobuf' },
    });
    expect(receiver.requests.map((r) => r.path)).toEqual(['/metrics-in']);
  });

  it('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT alone exports traces only', async () => {
    const receiver = await collector();
    setEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/traces-in` });
    const pipeline = await pipelineFromEnv();
    const workload = await runWorkload(pipeline, cleanups);
    await workload.flush();
    expect(pipeline.exporters.metrics).toEqual([]);
    expect(pipeline.exporters.traces).toEqual(['otlp']);
    expect(new Set(receiver.requests.map((r) => r.path))).toEqual(new Set(['/traces-in']));
  });

  it('OTEL_METRICS_EXPORTER=otlp turns OTLP metrics on (exporter default endpoint) and Prometheus off', async () => {
    setEnv({
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://127.0.0.1:9/m',
    });
    const pipeline = await createOtelPipeline({ serviceName: 's', onError: () => {} });
    cleanups.push(() => pipeline.shutdown());
    expect(pipeline.exporters.metrics).toEqual(['otlp']);
    expect(pipeline.prometheusUrl).toBeUndefined();
  });

  it('OTEL_METRICS_EXPORTER=prometheus,console serves /metrics and prints to the console; an explicit otlp option still wins', async () => {
    const receiver = await collector();
    setEnv({ OTEL_METRICS_EXPORTER: 'prometheus,console' });
    const printed: unknown[] = [];
    const original = console.dir;
    console.dir = (value: unknown) => printed.push(value);
    cleanups.push(() => {
      console.dir = original;
    });
    const pipeline = await createOtelPipeline({
      serviceName: 's',
      prometheus: { host: '127.0.0.1', port: 0 },
      otlp: { metricsUrl: `${receiver.url}/v1/metrics` },
    });
    cleanups.push(() => pipeline.shutdown());
    expect(pipeline.exporters.metrics).toEqual(['prometheus', 'otlp', 'console']);
    expect(pipeline.exporters.traces).toEqual([]);
    const workload = await runWorkload(pipeline, cleanups);
    await workload.flush();
    const names = printed.map((m) => (m as { descriptor?: { name?: string } }).descriptor?.name);
    expect(names).toContain('docs.document.save.attempts'); // the SDK's ConsoleMetricExporter
    const scrape = await (await fetch(pipeline.prometheusUrl as string)).text();
    expect(scrape).toContain('docs_document_save_attempts_total');
    expect(receiver.requests.map((r) => r.path)).toContain('/v1/metrics');
  });

  it('OTEL_METRICS_EXPORTER=none and OTEL_TRACES_EXPORTER=none export nothing, even with an endpoint', async () => {
    const receiver = await collector();
    setEnv({
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    });
    const pipeline = await createOtelPipeline({ serviceName: 's' });
    cleanups.push(() => pipeline.shutdown());
    const workload = await runWorkload(pipeline, cleanups);
    await workload.flush();
    await pipeline.shutdown();
    expect(pipeline.exporters).toEqual({ metrics: [], traces: [], protocols: {} });
    expect(pipeline.prometheusUrl).toBeUndefined();
    expect(receiver.requests).toEqual([]);
  });

  it('OTEL_TRACES_EXPORTER=console prints the spans with the SDK console exporter', async () => {
    setEnv({ OTEL_TRACES_EXPORTER: 'console' });
    const printed: unknown[] = [];
    const original = console.dir;
    console.dir = (value: unknown) => printed.push(value);
    cleanups.push(() => {
      console.dir = original;
    });
    const pipeline = await pipelineFromEnv();
    const workload = await runWorkload(pipeline, cleanups);
    await workload.flush();
    expect(pipeline.exporters.traces).toEqual(['console']);
    const ids = printed.map((span) => (span as { traceId?: string }).traceId);
    expect(ids).toContain(workload.requestSpan.traceId);
  });

  it('OTEL_METRIC_EXPORT_INTERVAL=200 pushes every 200 ms without being asked', async () => {
    const receiver = await collector();
    setEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_METRIC_EXPORT_INTERVAL: '200' });
    const pipeline = await pipelineFromEnv();
    await runWorkload(pipeline, cleanups);
    const metrics = () => receiver.requests.filter((r) => r.path === '/v1/metrics');
    await until(() => metrics().length >= 4);
    // With the 60 s default not one export would have happened yet.
    expect(metrics().length).toBeGreaterThanOrEqual(4);
  });

  it('OTEL_METRIC_EXPORT_TIMEOUT bounds a collection-and-export to a collector that never answers', async () => {
    const receiver = await collector({ hang: true });
    setEnv({
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${receiver.url}/v1/metrics`,
      OTEL_METRIC_EXPORT_TIMEOUT: '100',
    });
    // The reader tells a timeout to diag only (sdk-metrics 2.x); the pipeline tells onError.
    const failures: Error[] = [];
    const pipeline = await pipelineFromEnv({ onError: (error) => failures.push(error) });
    await runWorkload(pipeline, cleanups);
    void pipeline.meterProvider.forceFlush().catch(() => {});
    await until(() => failures.length > 0);
    expect(failures[0]).toMatchObject({ code: 'export-failed' });
    expect(failures[0]?.message).toMatch(
      /^OTLP http\/protobuf metric export got no answer within the export timeout \(100 ms\); data points not exported: \d+ \(metrics: \d+\)$/,
    );
  });

  it("OTEL_EXPORTER_OTLP_TIMEOUT is the exporter's own timeout: a hanging collector is reported through onError", async () => {
    const receiver = await collector({ hang: true });
    setEnv({
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${receiver.url}/v1/metrics`,
      OTEL_EXPORTER_OTLP_TIMEOUT: '100',
      OTEL_METRIC_EXPORT_INTERVAL: '300',
    });
    const failures: Error[] = [];
    const pipeline = await pipelineFromEnv({ onError: (error) => failures.push(error) });
    await runWorkload(pipeline, cleanups);
    await until(() => failures.some((f) => /timed out/i.test(f.message)));
    expect(failures.map((f) => f.message).join('\n')).toMatch(/Request timed out/);
  });

  it('OTEL_BSP_SCHEDULE_DELAY sends finished spans without a flush', async () => {
    const receiver = await collector();
    setEnv({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
      OTEL_BSP_SCHEDULE_DELAY: '50',
    });
    const pipeline = await pipelineFromEnv();
    await runWorkload(pipeline, cleanups);
    await until(() => receiver.requests.length > 0, 4000); // the default delay is 5 s
    expect(receiver.requests.map((r) => r.path)).toContain('/v1/traces');
  });
});

describe('OTLP export failures', () => {
  it('metric and trace export failures both reach onError while the collector is down', async () => {
    const gone = await startOtlpReceiver();
    await gone.close(); // its port now refuses connections
    setEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: gone.url, OTEL_BSP_SCHEDULE_DELAY: '50' });
    const failures: Error[] = [];
    const pipeline = await pipelineFromEnv({
      otlp: { intervalMs: 100 },
      onError: (error) => failures.push(error),
    });
    await runWorkload(pipeline, cleanups);
    const text = () => failures.map((f) => f.message).join('\n');
    // the span exporter retries a refused connection until its 10 s timeout: give it the time
    const spanFailure = () =>
      failures.some((f) => !/metrics/.test(f.message) && /ECONNREFUSED/.test(f.message));
    await until(() => /metric export failed/.test(text()) && spanFailure(), 15_000);
    expect(text()).toMatch(/OTLP http\/protobuf metric export failed: connect ECONNREFUSED/);
    // the BatchSpanProcessor's failure: its message is the exporter's error itself
    expect(spanFailure()).toBe(true);
  });

  it('a failure of the final export in shutdown() is reported too, and shutdown resolves', async () => {
    const gone = await startOtlpReceiver();
    await gone.close();
    setEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: gone.url, OTEL_EXPORTER_OTLP_TIMEOUT: '200' });
    const failures: Error[] = [];
    const pipeline = await pipelineFromEnv({
      onError: (error) => failures.push(error),
      shutdownTimeoutMs: 5000,
    });
    await runWorkload(pipeline, cleanups);
    await pipeline.shutdown();
    const text = failures.map((f) => f.message).join('\n');
    expect(text).toMatch(/final metric export failed: connect ECONNREFUSED/); // the final collection's
    expect(failures.some((f) => !/metrics/.test(f.message))).toBe(true); // the spans' final export
  });

  it('a malformed URL in options still rejects at wiring time, naming the option', async () => {
    await expect(pipelineFromEnv({ otlp: { metricsUrl: 'ftp://collector' } })).rejects.toThrow(
      /otlp\.metricsUrl must be an http\(s\) URL/,
    );
    await expect(pipelineFromEnv({ otlp: { protocol: 'udp' as never } })).rejects.toThrow(
      /otlp\.protocol must be one of http\/protobuf, http\/json, grpc/,
    );
  });
});
