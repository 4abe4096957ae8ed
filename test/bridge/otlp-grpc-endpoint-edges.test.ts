// The gRPC exporters read their endpoint variable themselves, and threw a bare `TypeError: Invalid
// URL` (carrying the value, a credential perhaps) from their constructor on one that does not
// parse: createOtelPipeline rejected, where the HTTP exporters' invalid variables are reported and
// their default used. Now the same holds for gRPC: reported as invalid-option (value not shown),
// the exporter's default used; a value the exporter takes (host:port included) is left to it.
import { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { describe, expect, it } from 'vitest';
import { isolatedOtelEnv } from './otel-env-support.js';
import { startOtlpGrpcReceiver } from './otlp-grpc-receiver.js';

const { setEnv, cleanups } = isolatedOtelEnv();

const SECRET = 's3cr3t-t0ken';

async function pipelineWith(vars: Record<string, string>) {
  setEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', ...vars });
  const reports: Array<Error & { code?: string }> = [];
  const pipeline = await createOtelPipeline({
    serviceName: 'grpc-endpoint',
    prometheus: false,
    registerGlobals: false,
    onError: (error) => reports.push(error),
    otlp: { intervalMs: 3_600_000 },
  });
  cleanups.push(() => pipeline.shutdown());
  return { pipeline, reports };
}

describe('gRPC endpoint variables that do not parse', () => {
  for (const [name, value] of [
    ['OTEL_EXPORTER_OTLP_ENDPOINT', `http://user:${SECRET}@[collector`],
    ['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', `http://${SECRET} host:4317`],
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', `  [${SECRET}  `],
  ] as const) {
    it(`${name}: reported without its value, the exporter's default used, the pipeline created`, async () => {
      const { pipeline, reports } = await pipelineWith({ [name]: value });
      expect(pipeline.exporters.protocols).toMatchObject(
        name.includes('METRICS')
          ? { metrics: 'grpc' }
          : name.includes('TRACES')
            ? { traces: 'grpc' }
            : { metrics: 'grpc', traces: 'grpc' },
      );
      const told = reports.map((r) => `${r.code}: ${r.message}`);
      const about = told.filter((line) => line.includes(name));
      expect(about.length, told.join('\n')).toBeGreaterThanOrEqual(1);
      for (const line of about) {
        expect(line).toMatch(
          new RegExp(`^invalid-option: .*${name} \\(value not shown\\) is invalid`),
        );
        expect(line).toContain("the exporter's default http://localhost:4317");
      }
      for (const line of told) expect(line).not.toContain(SECRET);
    });
  }

  it('the signal variable wins over the shared one, as in the exporter: an invalid one is not replaced by the shared', async () => {
    const collector = await startOtlpGrpcReceiver();
    cleanups.push(() => collector.close());
    const { pipeline, reports } = await pipelineWith({
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://[nope',
    });
    expect(reports.map((r) => r.message).join('\n')).toContain(
      'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT (value not shown) is invalid',
    );
    pipeline.tracerProvider.getTracer('t').startSpan('s').end();
    await pipeline.tracerProvider.forceFlush();
    expect(collector.calls.map((c) => c.kind)).toEqual(['traces']);
  });

  it('values the exporter takes are left to it: no report, the collector reached; a blank signal variable falls back to the shared one', async () => {
    const collector = await startOtlpGrpcReceiver();
    cleanups.push(() => collector.close());
    const { pipeline, reports } = await pipelineWith({
      OTEL_EXPORTER_OTLP_ENDPOINT: `  ${collector.url}  `,
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: '   ',
    });
    expect(reports).toEqual([]);
    pipeline.meterProvider.getMeter('m').createCounter('c').add(1);
    pipeline.tracerProvider.getTracer('t').startSpan('s').end();
    await pipeline.meterProvider.forceFlush();
    await pipeline.tracerProvider.forceFlush();
    expect(collector.calls.map((c) => c.kind).sort()).toEqual(['metrics', 'traces']);
  });
  it('a scheme-less host:port the exporter completes with https:// (an IPv6 address) is not reported', async () => {
    const { pipeline, reports } = await pipelineWith({ OTEL_EXPORTER_OTLP_ENDPOINT: '[::1]:4317' });
    expect(pipeline.exporters.protocols).toEqual({ metrics: 'grpc', traces: 'grpc' });
    expect(reports).toEqual([]);
  });
  it('a valid signal variable is used, whatever the shared one holds (the exporter never reads it)', async () => {
    const collector = await startOtlpGrpcReceiver();
    cleanups.push(() => collector.close());
    const { pipeline, reports } = await pipelineWith({
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://[nope',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: collector.url,
    });
    expect(reports).toEqual([]);
    pipeline.meterProvider.getMeter('m').createCounter('c').add(1);
    await pipeline.meterProvider.forceFlush();
    expect(collector.calls.map((c) => c.kind)).toEqual(['metrics']);
  });
});
