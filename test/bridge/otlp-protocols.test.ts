import { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { describe, expect, it } from 'vitest';
import {
  expectEventSpansUnder,
  expectExportEqualsCore,
  isolatedOtelEnv,
  type Json,
  resourceOf,
  runWorkload,
} from './otel-env-support.js';
import { startOtlpGrpcReceiver } from './otlp-grpc-receiver.js';
import { startOtlpReceiver } from './otlp-receiver.js';

const { setEnv, cleanups } = isolatedOtelEnv();

// One operator's environment; only the protocol changes between the tests.
const ENVIRONMENT = {
  OTEL_SERVICE_NAME: 'env-service',
  OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test,service.instance.id=i-7',
  OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20t0ken,x-tenant=docs',
  OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
};

function expectResource(body: Json): void {
  expect(resourceOf(body)).toMatchObject({
    'service.name': 'env-service',
    'service.instance.id': 'i-7',
    'deployment.environment.name': 'test',
    'telemetry.sdk.language': 'nodejs',
  });
}

describe('OTLP protocols chosen by OTEL_EXPORTER_OTLP_PROTOCOL', () => {
  for (const [protocol, contentType] of [
    ['http/protobuf', 'application/x-protobuf'],
    ['http/json', 'application/json'],
  ] as const) {
    it(`${protocol}: resource, values equal to core, span parents, headers and gzip reach the collector`, async () => {
      const collector = await startOtlpReceiver();
      cleanups.push(() => collector.close());
      setEnv({
        ...ENVIRONMENT,
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      });
      const pipeline = await createOtelPipeline({ prometheus: false });
      cleanups.push(() => pipeline.shutdown());
      expect(pipeline.exporters.protocols).toEqual({ metrics: protocol, traces: protocol });

      const workload = await runWorkload(pipeline, cleanups);
      await workload.flush();

      const metrics = collector.requests.find((r) => r.path === '/v1/metrics');
      const traces = collector.requests.find((r) => r.path === '/v1/traces');
      for (const request of [metrics, traces]) {
        expect(request?.contentType).toBe(contentType);
        expect(request?.contentEncoding).toBe('gzip');
        expect(request?.headers.authorization).toBe('Bearer t0ken');
        expect(request?.headers['x-tenant']).toBe('docs');
      }
      expectResource(metrics?.body);
      expectResource(traces?.body);
      expectExportEqualsCore(metrics?.body, workload.recorder);
      expectEventSpansUnder(traces?.body, workload.requestSpan);
    });
  }

  it('grpc: the same reaches a real gRPC collector, headers as metadata', async () => {
    const collector = await startOtlpGrpcReceiver();
    cleanups.push(() => collector.close());
    setEnv({
      ...ENVIRONMENT,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    });
    const pipeline = await createOtelPipeline({ prometheus: false });
    cleanups.push(() => pipeline.shutdown());
    expect(pipeline.exporters.protocols).toEqual({ metrics: 'grpc', traces: 'grpc' });

    const workload = await runWorkload(pipeline, cleanups);
    await workload.flush();

    const metrics = collector.calls.find((c) => c.kind === 'metrics');
    const traces = collector.calls.find((c) => c.kind === 'traces');
    for (const call of [metrics, traces]) {
      expect(call?.metadata.authorization).toBe('Bearer t0ken');
      expect(call?.metadata['x-tenant']).toBe('docs');
    }
    expectResource(metrics?.body);
    expectResource(traces?.body);
    expectExportEqualsCore(metrics?.body, workload.recorder);
    expectEventSpansUnder(traces?.body, workload.requestSpan);
  });

  it('per-signal variables: metrics over gRPC, traces over http/json, to their own endpoints', async () => {
    const grpc = await startOtlpGrpcReceiver();
    const http = await startOtlpReceiver();
    cleanups.push(
      () => grpc.close(),
      () => http.close(),
    );
    setEnv({
      OTEL_SERVICE_NAME: 'split',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: grpc.url,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${http.url}/custom/traces`,
    });
    const pipeline = await createOtelPipeline({ prometheus: false });
    cleanups.push(() => pipeline.shutdown());
    expect(pipeline.exporters.protocols).toEqual({ metrics: 'grpc', traces: 'http/json' });
    const workload = await runWorkload(pipeline, cleanups);
    await workload.flush();
    expect(grpc.calls.map((c) => c.kind)).toEqual(['metrics']);
    expect(http.requests.map((r) => [r.path, r.contentType])).toEqual([
      ['/custom/traces', 'application/json'],
    ]);
    expectExportEqualsCore(grpc.calls[0]?.body, workload.recorder);
  });

  it('the otlp.protocol option wins over the environment', async () => {
    const collector = await startOtlpReceiver();
    cleanups.push(() => collector.close());
    setEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    const pipeline = await createOtelPipeline({
      serviceName: 'option-wins',
      prometheus: false,
      otlp: { protocol: 'http/json', endpoint: collector.url, headers: { 'x-from': 'option' } },
    });
    cleanups.push(() => pipeline.shutdown());
    const workload = await runWorkload(pipeline, cleanups);
    await workload.flush();
    const metrics = collector.requests.find((r) => r.path === '/v1/metrics');
    expect(metrics?.contentType).toBe('application/json');
    expect(metrics?.headers['x-from']).toBe('option');
    expect(resourceOf(metrics?.body)['service.name']).toBe('option-wins');
  });
});
