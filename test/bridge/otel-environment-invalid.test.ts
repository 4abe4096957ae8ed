import { createOtelPipeline, type OtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { describe, expect, it } from 'vitest';
import { holdDefaultPrometheusPort } from '../support/default-port.js';
import { isolatedOtelEnv, runWorkload } from './otel-env-support.js';
import { startOtlpReceiver } from './otlp-receiver.js';

const { setEnv, cleanups } = isolatedOtelEnv();

interface Case {
  variable: string;
  value: string;
  /** What the report must say was used instead. */
  used: RegExp;
  /** What still holds: the service started with the default. */
  check?: (pipeline: OtelPipeline) => void | Promise<void>;
  /** A header list or an endpoint: named, but its value is never shown (it may hold credentials). */
  secret?: boolean;
}

// Each bad value: reported once through onError naming the variable, the value and the default
// used, and the pipeline still starts (OpenTelemetry's rule for bad configuration).
const CASES: Case[] = [
  {
    variable: 'OTEL_EXPORTER_OTLP_PROTOCOL',
    value: 'http/xml',
    used: /the default http\/protobuf/,
    check: (p) => expect(p.exporters.protocols.metrics).toBe('http/protobuf'),
  },
  {
    variable: 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL',
    value: 'udp',
    used: /the default/,
    check: (p) => expect(p.exporters.protocols.metrics).toBe('http/protobuf'),
  },
  { variable: 'OTEL_METRIC_EXPORT_INTERVAL', value: 'abc', used: /the default 60000/ },
  { variable: 'OTEL_METRIC_EXPORT_INTERVAL', value: '-5', used: /the default 60000/ },
  { variable: 'OTEL_METRIC_EXPORT_TIMEOUT', value: 'soon', used: /the default 30000/ },
  {
    variable: 'OTEL_EXPORTER_OTLP_HEADERS',
    value: 'authorization,x-ok=1',
    used: /well-formed pairs only/,
    secret: true,
  },
  { variable: 'OTEL_EXPORTER_OTLP_COMPRESSION', value: 'brotli', used: /the default none/ },
  { variable: 'OTEL_EXPORTER_OTLP_TIMEOUT', value: 'ten', used: /the default 10000/ },
  {
    variable: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    value: 'not a url',
    used: /exporter's default http:\/\/localhost:4318\/v1\/metrics/,
    secret: true,
  },
  {
    variable: 'OTEL_TRACES_SAMPLER',
    value: 'sometimes',
    used: /the default parentbased_always_on/,
    check: (p) => expect(p.tracerProvider.getTracer('t').startSpan('x').isRecording()).toBe(true),
  },
  {
    variable: 'OTEL_TRACES_SAMPLER_ARG',
    value: '1.5',
    used: /1\.$/,
  },
  {
    variable: 'OTEL_METRICS_EXPORTER',
    value: 'prometheus,zipkin',
    used: /without "zipkin"/,
    check: (p) => expect(p.exporters.metrics).toEqual(['prometheus']),
  },
  { variable: 'OTEL_TRACES_EXPORTER', value: 'jaeger', used: /without "jaeger"/ },
  {
    variable: 'OTEL_EXPORTER_PROMETHEUS_PORT',
    value: '99999',
    used: /9464/,
    check: (p) => expect(p.prometheusUrl).toMatch(/:9464\/metrics$/),
  },
  {
    variable: 'OTEL_METRICS_EXEMPLAR_FILTER',
    value: 'sampled',
    used: /the default trace_based/,
    check: (p) => expect(p.exemplarFilter).toBe('trace_based'),
  },
  {
    variable: 'OTEL_SDK_DISABLED',
    value: 'yes',
    used: /false/,
    check: (p) => expect(p.disabled).toBe(false),
  },
  { variable: 'OTEL_PROPAGATORS', value: 'tracecontext,xray', used: /without "xray"/ },
  {
    variable: 'OTEL_RESOURCE_ATTRIBUTES',
    value: 'team=a=b',
    used: /no attribute from it/,
    check: (p) => expect(p.resource.attributes.team).toBeUndefined(),
  },
  { variable: 'OTEL_NODE_RESOURCE_DETECTORS', value: 'env,cloud', used: /without "cloud"/ },
  { variable: 'OTEL_BSP_SCHEDULE_DELAY', value: '0', used: /the default/ },
];

describe('an invalid OTEL_* value is reported once and the service still starts', () => {
  for (const { variable, value, used, check, secret } of CASES) {
    it(`${variable}=${value}`, async () => {
      const collector = await startOtlpReceiver();
      cleanups.push(() => collector.close());
      const needsPrometheus =
        variable.includes('PROMETHEUS') || variable === 'OTEL_METRICS_EXPORTER';
      // /metrics on the default port 9464: other files and CI lines running at once take turns.
      if (needsPrometheus) cleanups.push(await holdDefaultPrometheusPort());
      setEnv({
        ...(variable.includes('ENDPOINT') ? {} : { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url }),
        ...(variable === 'OTEL_TRACES_SAMPLER_ARG' ? { OTEL_TRACES_SAMPLER: 'traceidratio' } : {}),
        ...(variable === 'OTEL_BSP_SCHEDULE_DELAY' ? { OTEL_BSP_SCHEDULE_DELAY: '0' } : {}),
        [variable]: value,
      });
      const reported: Error[] = [];
      const pipeline = await createOtelPipeline({
        serviceName: 's',
        ...(needsPrometheus ? {} : { prometheus: false }),
        onError: (error) => reported.push(error),
      });
      cleanups.push(() => pipeline.shutdown());
      await check?.(pipeline);
      if (!variable.includes('ENDPOINT') && !variable.includes('EXPORTER')) {
        // the service works with the default: metrics still reach the collector
        await (await runWorkload(pipeline, cleanups)).flush();
        expect(collector.requests.some((r) => r.path === '/v1/metrics')).toBe(true);
      }
      const shown = secret
        ? `${variable} (value not shown)`
        : `${variable}=${JSON.stringify(value)}`;
      const about = reported.filter((e) => e.message.includes(`${shown} is invalid`));
      expect(about).toHaveLength(1);
      if (secret) expect(about[0]?.message).not.toContain(value);
      expect(about[0]?.message).toMatch(new RegExp(`; using .*${used.source}`));
    });
  }

  it('each distinct bad value is reported once, however many pipelines read it, per pipeline', async () => {
    setEnv({
      OTEL_METRIC_EXPORT_INTERVAL: 'abc',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
    });
    const reported: Error[] = [];
    const pipeline = await createOtelPipeline({
      serviceName: 's',
      prometheus: false,
      onError: (error) => reported.push(error),
    });
    cleanups.push(() => pipeline.shutdown());
    expect(reported.filter((e) => e.message.includes('OTEL_METRIC_EXPORT_INTERVAL'))).toHaveLength(
      1,
    );
  });

  it('without onError the default handler prints one warning line per problem', async () => {
    setEnv({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'carrier-pigeon',
      OTEL_TRACES_SAMPLER: 'coin',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
    });
    const lines: string[] = [];
    const original = console.warn;
    console.warn = (line: string) => lines.push(line);
    cleanups.push(() => {
      console.warn = original;
    });
    const pipeline = await createOtelPipeline({ serviceName: 's', prometheus: false });
    cleanups.push(() => pipeline.shutdown());
    expect(lines).toEqual([
      expect.stringMatching(
        /^\[mvx-metrics\] createOtelPipeline: OTEL_EXPORTER_OTLP_PROTOCOL="carrier-pigeon" is invalid/,
      ),
      expect.stringMatching(
        /^\[mvx-metrics\] createOtelPipeline: OTEL_TRACES_SAMPLER="coin" is invalid/,
      ),
    ]);
  });
});
