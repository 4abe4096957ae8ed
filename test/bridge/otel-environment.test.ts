import { createServer } from 'node:net';
import { MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { documentMetrics, ExampleStorage } from './example-storage.js';
import { isolatedOtelEnv, resourceOf, runWorkload } from './otel-env-support.js';
import { startOtlpReceiver } from './otlp-receiver.js';

const { setEnv, cleanups } = isolatedOtelEnv();

async function pipeline(options: Parameters<typeof createOtelPipeline>[0] = {}) {
  const created = await createOtelPipeline({ prometheus: false, ...options });
  cleanups.push(() => created.shutdown());
  return created;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('resource', () => {
  it('OTEL_SERVICE_NAME alone names the service: serviceName becomes optional', async () => {
    setEnv({ OTEL_SERVICE_NAME: 'from-env' });
    const created = await pipeline();
    expect(created.resource.attributes['service.name']).toBe('from-env');
    await expect(createOtelPipeline({ prometheus: false, otlp: false })).resolves.toBeDefined();
  });

  it('without any service name it still rejects, naming the three ways to give one', async () => {
    await expect(createOtelPipeline({ prometheus: false })).rejects.toThrow(
      /serviceName.*OTEL_SERVICE_NAME.*OTEL_RESOURCE_ATTRIBUTES/,
    );
  });

  it('OTEL_RESOURCE_ATTRIBUTES reaches the exported resource; options win over it', async () => {
    const collector = await startOtlpReceiver();
    cleanups.push(() => collector.close());
    setEnv({
      OTEL_RESOURCE_ATTRIBUTES:
        'service.name=env-name,deployment.environment.name=prod,team=a%2Cb,service.version=1',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${collector.url}/v1/metrics`,
    });
    const created = await pipeline({
      serviceName: 'option-name',
      resource: { 'service.version': '2' },
    });
    await (await runWorkload(created, cleanups)).flush();
    expect(resourceOf(collector.requests[0]?.body)).toMatchObject({
      'service.name': 'option-name',
      'deployment.environment.name': 'prod',
      team: 'a,b',
      'service.version': '2',
      'process.runtime.name': 'nodejs', // NodeSDK's default detectors: env, process, host
      'host.name': expect.any(String),
    });
  });

  it('service.instance.id is a fresh UUID per pipeline unless the environment or an option gives one', async () => {
    const a = await pipeline({ serviceName: 's' });
    const b = await pipeline({ serviceName: 's' });
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    expect(a.resource.attributes['service.instance.id']).toMatch(uuid);
    expect(b.resource.attributes['service.instance.id']).not.toBe(
      a.resource.attributes['service.instance.id'],
    );
    setEnv({ OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=pod-7' });
    expect((await pipeline({ serviceName: 's' })).resource.attributes['service.instance.id']).toBe(
      'pod-7',
    );
    const option = await pipeline({ serviceName: 's', serviceInstanceId: 'given' });
    expect(option.resource.attributes['service.instance.id']).toBe('given');
  });

  it('OTEL_NODE_RESOURCE_DETECTORS unset: env, process and host (docs/configuration.md), not os', async () => {
    setEnv({ OTEL_RESOURCE_ATTRIBUTES: 'zone=z1' });
    const created = await pipeline({ serviceName: 's' });
    expect(created.resource.attributes.zone).toBe('z1');
    expect(created.resource.attributes['process.pid']).toBe(process.pid);
    expect(created.resource.attributes['host.name']).toBeDefined();
    expect(created.resource.attributes['os.type']).toBeUndefined();
  });

  it('OTEL_NODE_RESOURCE_DETECTORS=all adds the os detector (sdk-node 0.301 NodeSDK default set)', async () => {
    setEnv({ OTEL_NODE_RESOURCE_DETECTORS: 'all' });
    const created = await pipeline({ serviceName: 's' });
    expect(created.resource.attributes['os.type']).toBeDefined();
    expect(created.resource.attributes['process.pid']).toBe(process.pid);
  });

  it('OTEL_NODE_RESOURCE_DETECTORS=env reads the environment only (no process or host attributes)', async () => {
    setEnv({ OTEL_NODE_RESOURCE_DETECTORS: 'env', OTEL_RESOURCE_ATTRIBUTES: 'zone=z1' });
    const created = await pipeline({ serviceName: 's' });
    expect(created.resource.attributes.zone).toBe('z1');
    expect(created.resource.attributes['process.pid']).toBeUndefined();
    expect(created.resource.attributes['host.name']).toBeUndefined();
  });
});

describe('OTEL_SDK_DISABLED', () => {
  it('=true: nothing exported or served, shutdown resolves, core keeps working', async () => {
    const collector = await startOtlpReceiver();
    cleanups.push(() => collector.close());
    const port = await freePort();
    setEnv({
      OTEL_SDK_DISABLED: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
    });
    const created = await createOtelPipeline({}); // no service name needed either
    expect(created.disabled).toBe(true);
    expect(created.prometheusUrl).toBeUndefined();
    const runtime = new MetricsRuntime({ namespace: 'docs' });
    runtime.start();
    const bridge = attachOtelBridge(runtime, {
      meterProvider: created.meterProvider,
      tracerProvider: created.tracerProvider,
      spans: true,
    });
    const recorder = runtime.createRecorder('r', { metrics: documentMetrics });
    const span = created.tracerProvider.getTracer('t').startSpan('request');
    expect(span.isRecording()).toBe(false);
    await new ExampleStorage(recorder).save('a', 'hello');
    await recorder.flush();
    await created.meterProvider.forceFlush();
    await created.shutdown();
    await runtime.shutdown();
    bridge.detach();
    const attempts = recorder.getMetricSnapshots().find((s) => s.name === 'document.save.attempts');
    expect(attempts?.points.find((p) => p.attributes.outcome === 'success')).toMatchObject({
      value: 1,
    });
    expect(collector.requests).toEqual([]);
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });

  it('the disabled option wins over the variable', async () => {
    setEnv({ OTEL_SDK_DISABLED: 'true' });
    const created = await pipeline({ serviceName: 's', disabled: false, registerGlobals: false });
    expect(created.disabled).toBe(false);
  });
});

describe('sampling', () => {
  it('OTEL_TRACES_SAMPLER=always_off: no span is sent, the bridge makes no event spans', async () => {
    const collector = await startOtlpReceiver();
    cleanups.push(() => collector.close());
    setEnv({
      OTEL_TRACES_SAMPLER: 'always_off',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.url}/v1/traces`,
    });
    const created = await pipeline({ serviceName: 's' });
    const workload = await runWorkload(created, cleanups);
    await workload.flush();
    expect(collector.requests).toEqual([]);
  });

  it('OTEL_TRACES_SAMPLER=traceidratio with OTEL_TRACES_SAMPLER_ARG=0 samples nothing, =1 everything', async () => {
    setEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' });
    const none = await pipeline({ serviceName: 's', registerGlobals: false });
    expect(none.tracerProvider.getTracer('t').startSpan('x').isRecording()).toBe(false);
    setEnv({ OTEL_TRACES_SAMPLER_ARG: '1' });
    const all = await pipeline({ serviceName: 's', registerGlobals: false });
    expect(all.tracerProvider.getTracer('t').startSpan('x').isRecording()).toBe(true);
  });

  it('the default is parent-based always-on: a root span is sampled, a child of an unsampled parent is not', async () => {
    const created = await pipeline({ serviceName: 's', registerGlobals: false });
    const tracer = created.tracerProvider.getTracer('t');
    expect(tracer.startSpan('root').isRecording()).toBe(true);
    const unsampled = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 0,
      isRemote: true,
    });
    expect(tracer.startSpan('child', {}, unsampled).isRecording()).toBe(false);
    expect(context.active()).toBe(ROOT_CONTEXT);
  });
});

describe('Prometheus, exemplars and propagation', () => {
  it('OTEL_EXPORTER_PROMETHEUS_HOST / _PORT choose where /metrics listens; the option wins', async () => {
    const port = await freePort();
    setEnv({
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
    });
    const created = await createOtelPipeline({ serviceName: 's', registerGlobals: false });
    cleanups.push(() => created.shutdown());
    expect(created.prometheusUrl).toBe(`http://127.0.0.1:${port}/metrics`);
    expect((await fetch(created.prometheusUrl as string)).status).toBe(200);
    const option = await createOtelPipeline({
      serviceName: 's',
      prometheus: { host: '127.0.0.1', port: 0 },
      registerGlobals: false,
    });
    cleanups.push(() => option.shutdown());
    expect(option.prometheusUrl).not.toBe(created.prometheusUrl);
  });

  it('OTEL_METRICS_EXEMPLAR_FILTER is read (default trace_based); the option wins', async () => {
    expect((await pipeline({ serviceName: 's' })).exemplarFilter).toBe('trace_based');
    setEnv({ OTEL_METRICS_EXEMPLAR_FILTER: 'always_off' });
    expect((await pipeline({ serviceName: 's' })).exemplarFilter).toBe('always_off');
    const option = await pipeline({ serviceName: 's', exemplarFilter: 'always_on' });
    expect(option.exemplarFilter).toBe('always_on');
  });

  it('OTEL_PROPAGATORS chooses the propagator (default tracecontext,baggage)', async () => {
    const standard = await pipeline({ serviceName: 's', registerGlobals: false });
    expect(standard.propagator.fields()).toEqual(['traceparent', 'tracestate', 'baggage']);
    setEnv({ OTEL_PROPAGATORS: 'b3multi' });
    const b3 = await pipeline({ serviceName: 's', registerGlobals: false });
    expect(b3.propagator.fields()).toContain('x-b3-traceid');
    setEnv({ OTEL_PROPAGATORS: 'none' });
    const none = await pipeline({ serviceName: 's', registerGlobals: false });
    expect(none.propagator.fields()).toEqual([]);
  });
});
