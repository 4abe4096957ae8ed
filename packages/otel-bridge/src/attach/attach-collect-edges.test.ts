// What an attached bridge exports and answers, per option: the self-telemetry (on and off, one
// runtime-state point per state), exemplars only where the filter allows them (none with
// `always_off`, even inside a sampled span), event spans with exemplars off, and a pipeline's
// readiness naming the bridged runtime or bare recorder by its state until detach.
// StrykerJS survivors of attach/attachment.ts, attach-otel-bridge.ts and runtime-watch.ts.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  counter,
  type Metric,
  type MetricsError,
  MetricsRecorder,
  MetricsRuntime,
  type MetricUpdate,
} from '@mvx-metrics/core';
import { context, ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUpAfterEach, exportedSeries, TestReader } from '../../../../test/bridge/helpers.js';
import type { ExemplarCarrier } from '../exemplars/types.js';
import { createOtelPipeline } from '../pipeline/create-otel-pipeline.js';
import type { OtelPipeline } from '../pipeline/types.js';
import { createMetricProducer } from '../producer/mvx-metric-producer.js';
import { attachOtelBridge } from './attach-otel-bridge.js';
import type { OtelBridgeOptions } from './types.js';

let installed = false;
beforeAll(() => {
  installed = context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  if (installed) context.disable();
});

const { cleanups, errors } = cleanUpAfterEach();

const SAMPLED = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
};

/** Runs `body` inside a sampled remote span (a propagated request, say). */
const inSampledSpan = <T>(body: () => T): T =>
  context.with(trace.setSpanContext(ROOT_CONTEXT, SAMPLED), body);

function setup(options: OtelBridgeOptions = {}) {
  const runtime = new MetricsRuntime({
    namespace: 'docs',
    scheduler: 'sync',
    onError: errors.onError,
  });
  runtime.start();
  const producer = createMetricProducer();
  const reader = new TestReader([producer]);
  const provider = new MeterProvider({ readers: [reader] });
  cleanups.push(
    () => provider.shutdown(),
    () => runtime.shutdown(),
  );
  const bridge = attachOtelBridge(runtime, { metricProducer: producer, ...options });
  cleanups.push(bridge.detach);
  const recorder = runtime.createRecorder('r', {
    metrics: () => [counter({ name: 'hits', on: 'hit' })],
  });
  return { runtime, recorder, reader };
}

/** The exemplars the producer handed the reader for `docs.hits`, as trace ids. */
async function exemplarTraceIds(reader: TestReader): Promise<string[]> {
  const data = await reader.read();
  const metric = data.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .find((m) => m.descriptor.name === 'docs.hits');
  return (metric?.dataPoints ?? []).flatMap((point) =>
    ((point as ExemplarCarrier).exemplars ?? []).flatMap((e) =>
      e === undefined ? [] : [e.traceId],
    ),
  );
}

describe('the self-telemetry of an attached runtime', () => {
  it('one mvx.runtime.state point per state, 1 for the state it is in', async () => {
    const { reader } = setup();
    const data = await reader.read();
    const states = data.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .filter((m) => m.descriptor.name === 'mvx.runtime.state')
      .flatMap((m) => m.dataPoints.map((p) => [p.attributes.state, p.value]));
    expect(states).toEqual([
      ['initializing', 0],
      ['running', 1],
      ['draining', 0],
      ['drained', 0],
      ['failed', 0],
    ]);
  });

  it('none of it with selfTelemetry: false', async () => {
    const { reader, recorder } = setup({ selfTelemetry: false });
    recorder.registerEvent({ type: 'hit' });
    const names = exportedSeries(await reader.read(), []).map((s) => s.name);
    expect(names).toEqual(['docs.hits']);
  });
});

describe('exemplars by filter, on the producer path', () => {
  it('trace_based (the default): the measurement inside a sampled span carries its trace id', async () => {
    const { reader, recorder } = setup();
    inSampledSpan(() => recorder.registerEvent({ type: 'hit' }));
    recorder.registerEvent({ type: 'hit' }); // outside any span: no exemplar
    expect(await exemplarTraceIds(reader)).toEqual([SAMPLED.traceId]);
  });

  it('always_off: none, even inside a sampled span, and collection and batches go on without a report', async () => {
    const { reader, recorder } = setup({ exemplarFilter: 'always_off' });
    inSampledSpan(() => recorder.registerEvent({ type: 'hit' }));
    recorder.registerEvent({ type: 'hit' });
    expect(await exemplarTraceIds(reader)).toEqual([]);
    const series = exportedSeries(await reader.read());
    expect(series.find((s) => s.name === 'docs.hits')?.value).toBe(2);
  });

  it('with spans: true and exemplars off, each event still gets its span under the request’s', async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new TracerProvider({
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    cleanups.push(() => tracerProvider.shutdown());
    const { recorder } = setup({ exemplarFilter: 'always_off', spans: true, tracerProvider });
    inSampledSpan(() => recorder.registerEvent({ type: 'hit' }));
    await recorder.flush();
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]?.spanContext().traceId).toBe(SAMPLED.traceId);
  });

  it('with spans: true, a transition outside any span adds no event and reports nothing', async () => {
    const reports: MetricsError[] = [];
    const runtime = new MetricsRuntime({
      namespace: 'quiet',
      scheduler: 'sync',
      onError: (e) => reports.push(e),
    });
    runtime.start();
    const bridge = attachOtelBridge(runtime, {
      metricProducer: createMetricProducer(),
      spans: true,
      onError: (e) => reports.push(e),
    });
    cleanups.push(bridge.detach);
    await runtime.shutdown();
    expect(runtime.state).toBe('drained');
    expect(reports).toEqual([]);
  });
});

/** A hand-written metric (no built-in kind's live reading): a total per `key` of its events. */
function handWritten(name: string): Metric {
  const totals = new Map<string, number>();
  return {
    name,
    handleEvent(event: object, update?: MetricUpdate) {
      const e = event as { type?: unknown; key?: string; n?: number };
      if (e.type !== name) return false;
      const key = e.key ?? 'a';
      totals.set(key, (totals.get(key) ?? 0) + (e.n ?? 1));
      if (update !== undefined) {
        update.attributes = { key };
        update.value = e.n ?? 1; // a counter's measurement: the increment
      }
      return true;
    },
    snapshot: () => ({
      name,
      kind: 'counter',
      points: [...totals].map(([key, value]) => ({ attributes: { key }, value })),
    }),
  };
}

describe('a hand-written metric, collection after collection, whatever needs the changes', () => {
  it.each<[string, OtelBridgeOptions]>([
    ['nothing (exemplars off)', { exemplarFilter: 'always_off' }],
    ['trace_based exemplars', {}],
    ['always_on exemplars', { exemplarFilter: 'always_on' }],
    ['event spans', { exemplarFilter: 'always_off', spans: true }],
  ])('exports its current totals with %s', async (_, options) => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new TracerProvider({
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    cleanups.push(() => tracerProvider.shutdown());
    const { runtime, reader } = setup({ selfTelemetry: false, tracerProvider, ...options });
    const recorder = runtime.createRecorder('h', { metrics: () => [handWritten('jobs')] });
    const totals = async () =>
      exportedSeries(await reader.read())
        .filter((s) => s.name === 'docs.jobs')
        .map((s) => [s.attributes.key, s.value]);
    recorder.registerEvent({ type: 'jobs', key: 'a', n: 2 });
    expect(await totals()).toEqual([['a', 2]]);
    recorder.registerEvent({ type: 'jobs', key: 'a', n: 3 });
    inSampledSpan(() => recorder.registerEvent({ type: 'jobs', key: 'b', n: 1 }));
    expect(await totals()).toEqual([
      ['a', 5],
      ['b', 1],
    ]);
    recorder.registerEvent({ type: 'jobs', key: 'b', n: 4 });
    inSampledSpan(() => recorder.registerEvent({ type: 'jobs', key: 'a', n: 1 }));
    expect(await totals()).toEqual([
      ['a', 6],
      ['b', 5],
    ]);
    expect(await totals()).toEqual([
      ['a', 6],
      ['b', 5],
    ]);
  });
});

/** The pipeline's own handler, served on a loopback port: GET /readyz, parsed. */
async function readiness(pipeline: OtelPipeline): Promise<{ status: string; reasons: string[] }> {
  const server = createServer(pipeline.requestHandler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/readyz`);
    return (await response.json()) as { status: string; reasons: string[] };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('a pipeline’s readiness, through the bridges attached to it', () => {
  async function pipeline() {
    const p = await createOtelPipeline({
      serviceName: 's',
      otlp: false,
      registerGlobals: false,
      prometheus: { listen: false },
    });
    cleanups.push(() => p.shutdown());
    return p;
  }

  it('names a bridged runtime by its state until it runs, and forgets it at detach', async () => {
    const p = await pipeline();
    const runtime = new MetricsRuntime({
      namespace: 'docs',
      scheduler: 'sync',
      onError: errors.onError,
    });
    cleanups.push(() => runtime.shutdown());
    const bridge = attachOtelBridge(runtime, { meterProvider: p.meterProvider });
    expect(await readiness(p)).toMatchObject({
      status: 'unavailable',
      reasons: ['runtime "docs" is initializing'],
    });
    runtime.start();
    expect(await readiness(p)).toMatchObject({ status: 'ok', reasons: [] });
    bridge.detach();
    await runtime.shutdown();
    expect(await readiness(p)).toMatchObject({ status: 'ok', reasons: [] });
  });

  it('names a bridged bare recorder by its state read as a runtime’s, and forgets it at detach', async () => {
    const p = await pipeline();
    const recorder = new MetricsRecorder('solo', { scheduler: 'sync' });
    const bridge = attachOtelBridge(recorder, { meterProvider: p.meterProvider });
    expect(await readiness(p)).toMatchObject({ reasons: ['recorder "solo" is initializing'] });
    recorder.start();
    expect(await readiness(p)).toMatchObject({ status: 'ok', reasons: [] });
    await recorder.stop();
    expect(await readiness(p)).toMatchObject({ reasons: ['recorder "solo" is drained'] });
    bridge.detach();
    expect(await readiness(p)).toMatchObject({ status: 'ok', reasons: [] });
  });
});
