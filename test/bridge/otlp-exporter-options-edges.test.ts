// The OTLP exporters as createOtelPipeline's explicit options configure them, per protocol, in a
// few milliseconds each (forceFlush, no export interval waited for): a gRPC collector reached by
// the endpoint option with the headers option as metadata; headers gRPC cannot carry (from the
// option or from OTEL_EXPORTER_OTLP_HEADERS) refused with the header named and its value never
// shown; the compression option over the environment's. What the collectors receive is decoded
// with OpenTelemetry's published protobuf definitions.
import { MetricsWiringError } from '@mvx-metrics/core';
import { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { describe, expect, it } from 'vitest';
import { isolatedOtelEnv } from './otel-env-support.js';
import { startOtlpGrpcReceiver } from './otlp-grpc-receiver.js';
import { startOtlpReceiver } from './otlp-receiver.js';

const { setEnv, cleanups } = isolatedOtelEnv();

/** A counter point and a span, flushed through `pipeline`. */
async function traffic(pipeline: Awaited<ReturnType<typeof createOtelPipeline>>) {
  pipeline.meterProvider.getMeter('edges').createCounter('edges.calls').add(1);
  pipeline.tracerProvider.getTracer('edges').startSpan('edge').end();
  await pipeline.meterProvider.forceFlush();
  await pipeline.tracerProvider.forceFlush();
}

/** How a pipeline creation rejected (or `undefined` if it did not). */
async function rejection(create: () => Promise<unknown>): Promise<Error | undefined> {
  try {
    const pipeline = (await create()) as { shutdown(): Promise<void> };
    cleanups.push(() => pipeline.shutdown());
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

describe('gRPC: the options reach the exporters', () => {
  it('the endpoint option (no variable) is where metrics and spans go; the headers option is their metadata', async () => {
    const collector = await startOtlpGrpcReceiver();
    cleanups.push(() => collector.close());
    const pipeline = await createOtelPipeline({
      serviceName: 'grpc-options',
      prometheus: false,
      registerGlobals: false,
      otlp: {
        protocol: 'grpc',
        endpoint: collector.url,
        headers: { 'x-tenant': 'docs', authorization: 'Bearer opt' },
        compression: 'gzip',
        intervalMs: 3_600_000,
      },
    });
    cleanups.push(() => pipeline.shutdown());
    expect(pipeline.exporters.protocols).toEqual({ metrics: 'grpc', traces: 'grpc' });
    await traffic(pipeline);
    expect(collector.calls.map((c) => c.kind).sort()).toEqual(['metrics', 'traces']);
    for (const call of collector.calls) {
      expect(call.metadata['x-tenant']).toBe('docs');
      expect(call.metadata.authorization).toBe('Bearer opt');
    }
  });

  it('without the headers option, the endpoint option still applies (metadata from the environment only)', async () => {
    const collector = await startOtlpGrpcReceiver();
    cleanups.push(() => collector.close());
    setEnv({ OTEL_EXPORTER_OTLP_HEADERS: 'x-from=env' });
    const pipeline = await createOtelPipeline({
      serviceName: 'grpc-no-headers',
      prometheus: false,
      registerGlobals: false,
      otlp: { protocol: 'grpc', endpoint: collector.url, intervalMs: 3_600_000 },
    });
    cleanups.push(() => pipeline.shutdown());
    await traffic(pipeline);
    expect(collector.calls.map((c) => c.kind).sort()).toEqual(['metrics', 'traces']);
    for (const call of collector.calls) expect(call.metadata['x-from']).toBe('env');
  });

  it('a header gRPC cannot carry, in the headers option: invalid-option naming the header, never its value', async () => {
    for (const [headers, named] of [
      // HTTP tokens and values Node would send, which gRPC metadata refuses
      [{ 'x-ok': 'fine', 'x!key': 's3cr3t-name-case' }, '"x!key"'],
      [{ 'x-secret': 'hunter2\u00e9t\u00e9' }, '"x-secret"'],
    ] as const) {
      const error = await rejection(() =>
        createOtelPipeline({
          serviceName: 'grpc-bad-header',
          prometheus: false,
          registerGlobals: false,
          otlp: { protocol: 'grpc', endpoint: 'http://127.0.0.1:1', headers: { ...headers } },
        }),
      );
      expect(error).toBeInstanceOf(MetricsWiringError);
      expect((error as MetricsWiringError).code).toBe('invalid-option');
      expect(error?.message).toBe(
        `createOtelPipeline: otlp.headers[${named}] cannot be sent as gRPC metadata (names: lowercase letters, digits, "_", "-", "."; values: printable ASCII); the value is not shown.`,
      );
      expect(error?.message).not.toContain('s3cr3t');
      expect(error?.message).not.toContain('hunter2');
      expect(error?.cause).toBeUndefined();
    }
  });

  it('a header gRPC cannot carry, in OTEL_EXPORTER_OTLP_HEADERS: invalid-option naming the variable, never the value', async () => {
    setEnv({ OTEL_EXPORTER_OTLP_HEADERS: 'x-secret=hunter2%07bell' });
    const error = await rejection(() =>
      createOtelPipeline({
        serviceName: 'grpc-bad-env-header',
        prometheus: false,
        registerGlobals: false,
        otlp: { protocol: 'grpc', endpoint: 'http://127.0.0.1:1' },
      }),
    );
    expect(error).toBeInstanceOf(MetricsWiringError);
    expect((error as MetricsWiringError).code).toBe('invalid-option');
    expect(error?.message).toBe(
      'createOtelPipeline: a header in OTEL_EXPORTER_OTLP_HEADERS (or its _METRICS_/_TRACES_ variant) cannot be sent as gRPC metadata (names: lowercase letters, digits, "_", "-", "."; values: printable ASCII); the value is not shown.',
    );
    expect(error?.message).not.toContain('hunter2');
    expect(error?.cause).toBeUndefined();
  });
});

describe('HTTP: the compression option wins over the environment', () => {
  for (const [option, env, expected] of [
    ['gzip', undefined, 'gzip'],
    ['none', 'gzip', undefined],
    [undefined, 'gzip', 'gzip'],
  ] as const) {
    it(`option ${option ?? '(unset)'}, OTEL_EXPORTER_OTLP_COMPRESSION ${env ?? '(unset)'}: ${expected ?? 'no'} content-encoding`, async () => {
      const collector = await startOtlpReceiver();
      cleanups.push(() => collector.close());
      if (env !== undefined) setEnv({ OTEL_EXPORTER_OTLP_COMPRESSION: env });
      const pipeline = await createOtelPipeline({
        serviceName: 'compression',
        prometheus: false,
        registerGlobals: false,
        otlp: {
          endpoint: collector.url,
          intervalMs: 3_600_000,
          ...(option === undefined ? {} : { compression: option }),
        },
      });
      cleanups.push(() => pipeline.shutdown());
      await traffic(pipeline);
      expect(collector.requests.map((r) => r.path).sort()).toEqual(['/v1/metrics', '/v1/traces']);
      for (const request of collector.requests) {
        expect(request.contentEncoding).toBe(expected);
        expect(request.body).toHaveProperty(
          request.path === '/v1/metrics' ? 'resourceMetrics' : 'resourceSpans',
        );
      }
    });
  }
});
