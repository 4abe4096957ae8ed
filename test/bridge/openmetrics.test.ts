import { get } from 'node:http';
import { counter, gauge, histogram, MetricsRuntime, upDownCounter } from '@mvx-metrics/core';
import {
  attachOtelBridge,
  createMetricProducer,
  type ExemplarFilterName,
} from '@mvx-metrics/otel-bridge';
import { createOtelPipeline, type OtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import {
  AlwaysOffSampler,
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findOpenMetricsParser,
  type ParsedFamily,
  parseOpenMetrics,
} from '../support/openmetrics.js';
import { findBinary, parseSamples, promtoolCheck } from '../support/prometheus.js';
import { cleanUpAfterEach } from './helpers.js';

const python = findOpenMetricsParser();
const promtool = findBinary('promtool');
/** The Accept header Prometheus 2.42 sends with exemplar storage on. */
export const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

let pipeline: OtelPipeline;
beforeAll(async () => {
  pipeline = await createOtelPipeline({
    serviceName: 'openmetrics-test',
    serviceInstanceId: 'om-1',
    prometheus: { host: '127.0.0.1', port: 0 },
    otlp: false,
  });
});
afterAll(() => pipeline.shutdown());

const { cleanups, errors } = cleanUpAfterEach();

const FILTER_VARIABLE = 'OTEL_METRICS_EXEMPLAR_FILTER';
const BOUNDARIES = [0.005, 0.01, 0.1, 1];

interface Save {
  type: 'save';
  outcome: string;
  seconds: number;
}

function setup(options: { exemplarFilter?: ExemplarFilterName; sampled?: boolean } = {}) {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter: spans })],
    ...(options.sampled === false
      ? { sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }) }
      : {}),
  });
  const runtime = new MetricsRuntime({ namespace: 'om', onError: errors.onError });
  runtime.start();
  const bridge = attachOtelBridge(runtime, {
    meterProvider: pipeline.meterProvider,
    tracerProvider,
    spans: true,
    ...(options.exemplarFilter === undefined ? {} : { exemplarFilter: options.exemplarFilter }),
    onError: errors.onError,
  });
  cleanups.push(
    () => tracerProvider.shutdown(),
    () => runtime.shutdown(),
    bridge.detach,
  );
  const recorder = runtime.createRecorder('storage', {
    metrics: () => [
      histogram<Save>({
        name: 'save.duration',
        unit: 's',
        description: 'Save time',
        on: 'save',
        value: (e) => e.seconds,
        attributes: (e) => ({ outcome: e.outcome }),
        buckets: BOUNDARIES,
      }),
      counter({
        name: 'saves',
        on: 'save',
        attributes: (e: { outcome: string }) => ({ outcome: e.outcome }),
      }),
      gauge({ name: 'fill', unit: '1', on: 'save', value: (e: { seconds: number }) => e.seconds }),
      upDownCounter({ name: 'open', unit: '{document}', on: 'save' }),
    ],
  });
  const tracer = tracerProvider.getTracer('test');
  return { recorder, tracer, spans };
}

/**
 * One scrape on a connection of its own (as Prometheus' scrapes of a target mostly are). fetch
 * reused an idle keep-alive connection just as the server timed it out (5 s: the Python parser,
 * run synchronously between two scrapes, took that long on a loaded CI) and read ECONNRESET.
 */
function scrape(accept?: string): Promise<{ body: string; type: string | null }> {
  const headers: Record<string, string> = accept === undefined ? {} : { accept };
  return new Promise((resolve, reject) => {
    const request = get(pipeline.prometheusUrl as string, { headers, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ body, type: response.headers['content-type'] ?? null }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

function family(families: ParsedFamily[], name: string): ParsedFamily {
  const found = families.find((f) => f.name === name);
  if (found === undefined) throw new Error(`no family ${name}`);
  return found;
}

describe.skipIf(python === undefined)('/metrics in OpenMetrics', () => {
  it('serves OpenMetrics 1.0 with units and exemplars to Prometheus, text to everyone else', async () => {
    const { recorder, tracer, spans } = setup();
    const requests: string[] = [];
    for (const [outcome, seconds] of [
      ['ok', 0.003],
      ['ok', 0.05],
      ['failed', 2],
    ] as const) {
      tracer.startActiveSpan('PUT /documents/:id', (span) => {
        requests.push(span.spanContext().traceId);
        recorder.registerEvent({ type: 'save', outcome, seconds });
        span.end();
      });
    }
    recorder.registerEvent({ type: 'save', outcome: 'ok', seconds: 0.5 }); // outside any span
    await recorder.flush();

    const om = await scrape(PROMETHEUS_ACCEPT);
    expect(om.type).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(om.body.endsWith('# EOF\n')).toBe(true);
    const families = parseOpenMetrics(python as string, om.body);
    const duration = family(families, 'om_save_duration_seconds');
    expect(duration).toMatchObject({ type: 'histogram', unit: 'seconds' });
    expect(family(families, 'om_fill_ratio')).toMatchObject({ type: 'gauge', unit: 'ratio' });
    expect(family(families, 'om_saves').type).toBe('counter');
    expect(family(families, 'target').type).toBe('info');

    const eventSpans = spans.getFinishedSpans().filter((s) => s.name === 'save');
    const eventSpanIds = new Set(eventSpans.map((s) => s.spanContext().spanId));
    const withExemplar = [...duration.samples, ...family(families, 'om_saves').samples].filter(
      (s) => s.exemplar !== null,
    );
    // 3 histogram buckets hit inside spans, and one exemplar per counter series (ok, failed)
    expect(withExemplar).toHaveLength(5);
    for (const sample of withExemplar) {
      const exemplar = sample.exemplar as NonNullable<typeof sample.exemplar>;
      expect(requests).toContain(exemplar.labels.trace_id);
      // the domain event's own span, so the jump from Grafana lands on the event
      expect(eventSpanIds.has(exemplar.labels.span_id as string)).toBe(true);
      const chars = Object.entries(exemplar.labels).reduce(
        (n, [k, v]) => n + k.length + v.length,
        0,
      );
      expect(chars).toBeLessThanOrEqual(128);
      if (sample.name.endsWith('_bucket')) {
        const le = Number(sample.labels.le === '+Inf' ? Infinity : sample.labels.le);
        const index = BOUNDARIES.indexOf(le);
        const lower = index <= 0 ? -Infinity : (BOUNDARIES[index - 1] as number);
        expect(exemplar.value).toBeLessThanOrEqual(le);
        expect(exemplar.value).toBeGreaterThan(index === -1 ? 1 : lower);
      }
    }
    // 0.5 was registered outside any span: the (0.1, 1] bucket has no exemplar (trace_based)
    const bucket1 = duration.samples.find((s) => s.labels.le === '1' && s.labels.outcome === 'ok');
    expect(bucket1?.exemplar).toBeNull();

    const text = await scrape();
    expect(text.type).toBe('text/plain');
    expect(text.body).not.toContain('# EOF');
    expect(text.body).not.toContain('trace_id');
    if (promtool !== undefined) expect(promtoolCheck(promtool, text.body).status).toBe(0);
    // the same series in both formats
    const seriesOf = (samples: Array<{ name: string; labels: Record<string, string> }>) =>
      samples.map((s) => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`).sort();
    expect(seriesOf(families.flatMap((f) => f.samples))).toEqual(seriesOf(parseSamples(text.body)));
  });

  async function exemplarsAfterUnsampledAndUntraced(
    options: Parameters<typeof setup>[0],
  ): Promise<ParsedFamily['samples']> {
    const { recorder, tracer } = setup({ ...options, sampled: false });
    tracer.startActiveSpan('unsampled', (span) => {
      recorder.registerEvent({ type: 'save', outcome: 'ok', seconds: 0.003 });
      span.end();
    });
    recorder.registerEvent({ type: 'save', outcome: 'ok', seconds: 0.05 });
    await recorder.flush();
    const families = parseOpenMetrics(python as string, (await scrape(PROMETHEUS_ACCEPT)).body);
    return families
      .filter((f) => f.name.startsWith('om_'))
      .flatMap((f) => f.samples)
      .filter((s) => s.exemplar !== null);
  }

  it.each([
    ['always_off', 0],
    ['trace_based', 0],
    ['always_on', 3],
  ] as const)(
    'with %s, events in unsampled requests and outside spans give %i exemplars',
    async (filter, expected) => {
      const exemplars = await exemplarsAfterUnsampledAndUntraced({ exemplarFilter: filter });
      // always_on: two buckets and the counter's latest; the untraced one has an empty label set
      expect(exemplars).toHaveLength(expected);
      if (filter === 'always_on') {
        expect(exemplars.some((s) => s.exemplar?.labels.trace_id === undefined)).toBe(true);
        expect(exemplars.some((s) => s.exemplar?.labels.trace_id !== undefined)).toBe(true);
      }
    },
  );

  it('takes OTEL_METRICS_EXEMPLAR_FILTER through the pipeline, or reads it itself on a bare producer, reporting a bad value once', async () => {
    const env = process.env;
    const previous = env[FILTER_VARIABLE];
    const restore = () => {
      if (previous === undefined) delete env[FILTER_VARIABLE];
      else env[FILTER_VARIABLE] = previous;
    };
    try {
      env[FILTER_VARIABLE] = 'always_on';
      const onPipeline = await createOtelPipeline({
        serviceName: 'openmetrics-env',
        prometheus: { host: '127.0.0.1', port: 0 },
        otlp: false,
        registerGlobals: false,
      });
      cleanups.push(() => onPipeline.shutdown());
      expect(onPipeline.exemplarFilter).toBe('always_on');
      const runtime = new MetricsRuntime({ namespace: 'envom', scheduler: 'sync' });
      runtime.start();
      const bridge = attachOtelBridge(runtime, { meterProvider: onPipeline.meterProvider });
      cleanups.push(() => runtime.shutdown(), bridge.detach);
      runtime
        .createRecorder('r', { metrics: () => [counter({ name: 'untraced', on: 'save' })] })
        .registerEvent({ type: 'save' }); // outside any span: only always_on keeps it
      const url = onPipeline.prometheusUrl as string;
      const om = await (await fetch(url, { headers: { accept: PROMETHEUS_ACCEPT } })).text();
      const untraced = family(parseOpenMetrics(python as string, om), 'envom_untraced');
      expect(untraced.samples[0]?.exemplar).toMatchObject({ labels: {}, value: 1 });

      env[FILTER_VARIABLE] = 'sometimes';
      const reported: string[] = [];
      const bare = new MetricsRuntime({ namespace: 'om2' });
      const bareBridge = attachOtelBridge(bare, {
        metricProducer: createMetricProducer(),
        onError: (e) => reported.push(e.message),
      });
      bareBridge.detach();
      await bare.shutdown();
      expect(reported).toEqual([
        'otel-bridge: OTEL_METRICS_EXEMPLAR_FILTER="sometimes" is not one of trace_based, always_on, always_off; using trace_based.',
      ]);
    } finally {
      restore();
    }
  });

  it('serves the SDK’s own instruments on the pipeline’s provider in OpenMetrics too (dotted attribute keys, units)', async () => {
    const meter = pipeline.meterProvider.getMeter('sdk-own');
    meter
      .createCounter('sdk.loop.time', { unit: 's' })
      .add(2, { 'nodejs.eventloop.state': 'active' });
    meter
      .createHistogram('sdk.gc.duration', { unit: 's' })
      .record(0.01, { 'v8js.gc.type': 'minor' });
    const families = parseOpenMetrics(python as string, (await scrape(PROMETHEUS_ACCEPT)).body);
    expect(family(families, 'sdk_loop_time_seconds').samples[0]?.labels).toMatchObject({
      nodejs_eventloop_state: 'active',
    });
    expect(family(families, 'sdk_gc_duration_seconds')).toMatchObject({
      type: 'histogram',
      unit: 'seconds',
    });
    const text = await scrape();
    expect(text.body).toContain('sdk_loop_time_seconds_total{nodejs_eventloop_state="active"');
    if (promtool !== undefined) expect(promtoolCheck(promtool, text.body).status).toBe(0);
  });

  it("keeps the earlier names with prometheus: { naming: 'unsuffixed' }, in both formats", async () => {
    const old = await createOtelPipeline({
      serviceName: 'openmetrics-test',
      prometheus: { host: '127.0.0.1', port: 0, naming: 'unsuffixed' },
      otlp: false,
      registerGlobals: false,
    });
    cleanups.push(() => old.shutdown());
    const runtime = new MetricsRuntime({ namespace: 'old', scheduler: 'sync' });
    runtime.start();
    const bridge = attachOtelBridge(runtime, { meterProvider: old.meterProvider });
    cleanups.push(() => runtime.shutdown(), bridge.detach);
    runtime
      .createRecorder('r', {
        metrics: () => [
          histogram<Save>({
            name: 'save.duration',
            unit: 's',
            on: 'save',
            value: (e) => e.seconds,
          }),
          counter({ name: 'saves', unit: '1', on: 'save' }),
        ],
      })
      .registerEvent({ type: 'save', outcome: 'ok', seconds: 0.2 });
    const url = old.prometheusUrl as string;
    const text = await (await fetch(url)).text();
    expect(text).toContain('old_save_duration_bucket{');
    expect(text).toContain('old_saves_total{');
    const om = await (await fetch(url, { headers: { accept: PROMETHEUS_ACCEPT } })).text();
    const families = parseOpenMetrics(python as string, om);
    expect(family(families, 'old_save_duration')).toMatchObject({ type: 'histogram', unit: '' });
    expect(family(families, 'old_saves').samples[0]?.name).toBe('old_saves_total');
  });
});
