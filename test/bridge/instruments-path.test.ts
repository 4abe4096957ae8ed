import { counter, MetricsRuntime } from '@mvx-metrics/core';
import { DocumentCountChanged } from '@mvx-metrics/examples';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { metrics } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { documentMetrics, ExampleStorage } from './example-storage.js';
import {
  cleanUpAfterEach,
  expectedSeries,
  exportedSeries,
  type Series,
  selfValue,
  TestReader,
} from './helpers.js';

const { cleanups, errors } = cleanUpAfterEach();

function setup() {
  const runtime = new MetricsRuntime({ namespace: 'docs', onError: errors.onError });
  runtime.start();
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  cleanups.push(
    () => meterProvider.shutdown(),
    () => runtime.shutdown(),
  );
  return { runtime, reader, meterProvider };
}

const withoutHistograms = (series: Series[]) => series.filter((s) => s.kind !== 'histogram');

describe('instruments path (any MeterProvider)', () => {
  it('exports counters, up-down counters and gauges equal to the snapshots, initial zero points included', async () => {
    const { runtime, reader, meterProvider } = setup();
    const bridge = attachOtelBridge(runtime, { meterProvider });
    cleanups.push(bridge.detach);
    expect(bridge.mode).toBe('instruments');
    const storage = new ExampleStorage(
      runtime.createRecorder('document_storage', { metrics: documentMetrics }),
    );
    expect(withoutHistograms(exportedSeries(await reader.read()))).toEqual(
      withoutHistograms(expectedSeries(runtime)),
    );
    await storage.save('a', 'hello', 0.004);
    await storage.save('', 'x');
    await storage.get('a');
    const exported = exportedSeries(await reader.read());
    expect(withoutHistograms(exported)).toEqual(withoutHistograms(expectedSeries(runtime)));
    for (let i = 0; i < 10; i++) await storage.get('a');
    await storage.delete('a');
    expect(withoutHistograms(exportedSeries(await reader.read()))).toEqual(
      withoutHistograms(expectedSeries(runtime)),
    );
  });

  it('records histograms with the core boundaries: count, sum and buckets equal core once attached before the events', async () => {
    const { runtime, reader, meterProvider } = setup();
    cleanups.push(attachOtelBridge(runtime, { meterProvider }).detach);
    const storage = new ExampleStorage(
      runtime.createRecorder('document_storage', { metrics: documentMetrics }),
    );
    for (const seconds of [0.001, 0.02, 0.02, 0.7, 3, 42]) await storage.save('a', 'x', seconds);
    const exported = exportedSeries(await reader.read()).filter((s) => s.kind === 'histogram');
    const expected = expectedSeries(runtime).filter((s) => s.kind === 'histogram');
    // the `initial` zero points of a histogram have no observation to record on this path (README)
    expect(expected.filter((s) => s.count === 0).map((s) => s.attributes.outcome)).toEqual([
      'failure',
      'invalid',
    ]);
    expect(exported).toEqual(expected.filter((s) => s.count !== 0));
    expect(exported).toHaveLength(1);
    expect(exported[0]).toMatchObject({ count: 6, attributes: { outcome: 'success' } });
  });

  it('exports the recorder stats as self-telemetry instruments', async () => {
    const { runtime, reader, meterProvider } = setup();
    cleanups.push(attachOtelBridge(runtime, { meterProvider }).detach);
    const recorder = runtime.createRecorder('r', {
      metrics: documentMetrics,
      maxPendingEvents: 64,
      unhandledEvents: 'ignore', // an ignored event on purpose, for the `ignored` count
    });
    await new ExampleStorage(recorder).save('a', 'x');
    recorder.registerEvent({ type: 'ignored' });
    const data = await reader.read();
    const stats = recorder.stats();
    expect(
      selfValue(data, 'mvx.recorder.events', {
        recorder: 'r',
        'mvx.namespace': 'docs',
        outcome: 'processed',
      }),
    ).toBe(stats.processed);
    expect(
      selfValue(data, 'mvx.recorder.events', {
        recorder: 'r',
        'mvx.namespace': 'docs',
        outcome: 'ignored',
      }),
    ).toBe(1);
    expect(
      selfValue(data, 'mvx.recorder.capacity', { recorder: 'r', 'mvx.namespace': 'docs' }),
    ).toBe(64);
  });

  it('exports the runtime state as mvx.runtime.state: 1 for the state it is in, 0 for the others', async () => {
    const { runtime, reader, meterProvider } = setup();
    cleanups.push(attachOtelBridge(runtime, { meterProvider }).detach);
    const states = ['initializing', 'running', 'draining', 'drained', 'failed'];
    const read = async () => {
      const data = await reader.read();
      return states.map((state) =>
        selfValue(data, 'mvx.runtime.state', { 'mvx.namespace': 'docs', state }),
      );
    };
    expect(await read()).toEqual([0, 1, 0, 0, 0]);
    await runtime.shutdown();
    expect(await read()).toEqual([0, 0, 0, 1, 0]);
  });

  it('mirrors recorders created after attach, each with its recorder attribute', async () => {
    const { runtime, reader, meterProvider } = setup();
    cleanups.push(attachOtelBridge(runtime, { meterProvider }).detach);
    await new ExampleStorage(runtime.createRecorder('conn-1', { metrics: documentMetrics })).save(
      'a',
      'x',
    );
    await reader.read();
    await new ExampleStorage(runtime.createRecorder('conn-2', { metrics: documentMetrics })).get(
      'zzz',
    );
    const recorder2 = runtime.getRecorder('conn-2');
    recorder2?.registerEvent(new DocumentCountChanged(1));
    expect(withoutHistograms(exportedSeries(await reader.read()))).toEqual(
      withoutHistograms(expectedSeries(runtime)),
    );
  });

  it('picks up a metric added to a recorder after attach from the next collection on', async () => {
    const { runtime, reader, meterProvider } = setup();
    cleanups.push(attachOtelBridge(runtime, { meterProvider }).detach);
    const recorder = runtime.createRecorder('r', { metrics: documentMetrics });
    await reader.read();
    recorder.addMetric(counter({ name: 'late.hits', on: 'hit' }));
    recorder.registerEvent({ type: 'hit' });
    await reader.read(); // creates the instrument; it joins the batch callback
    recorder.registerEvent({ type: 'hit' });
    const exported = exportedSeries(await reader.read());
    expect(exported.find((s) => s.name === 'docs.late.hits')?.value).toBe(2);
    expect(withoutHistograms(exported)).toEqual(withoutHistograms(expectedSeries(runtime)));
  });

  it('keeps exporting a removed recorder’s last values (documented sdk-metrics limit of this path)', async () => {
    const { runtime, reader, meterProvider } = setup();
    cleanups.push(attachOtelBridge(runtime, { meterProvider }).detach);
    await new ExampleStorage(runtime.createRecorder('gone', { metrics: documentMetrics })).save(
      'a',
      'x',
    );
    await reader.read();
    await runtime.removeRecorder('gone');
    const after = exportedSeries(await reader.read());
    expect(after.some((s) => s.attributes.recorder === 'gone')).toBe(true);
  });

  it('stops observing after detach', async () => {
    const { runtime, reader, meterProvider } = setup();
    const bridge = attachOtelBridge(runtime, { meterProvider });
    const recorder = runtime.createRecorder('r', {
      metrics: () => [counter({ name: 'hits', on: 'hit' })],
    });
    recorder.registerEvent({ type: 'hit' });
    const value = () => exportedSeries(lastRead).find((s) => s.name === 'docs.hits')?.value;
    let lastRead = await reader.read();
    expect(value()).toBe(1);
    bridge.detach();
    recorder.registerEvent({ type: 'hit' });
    await recorder.flush();
    lastRead = await reader.read();
    expect(value()).not.toBe(2);
  });

  it('never exports a series twice: a pipeline provider is fed through its producer, not instruments', async () => {
    const pipeline = await createOtelPipeline({
      serviceName: 't',
      prometheus: false,
      otlp: false,
      registerGlobals: false,
    });
    cleanups.push(() => pipeline.shutdown());
    const runtime = new MetricsRuntime({ namespace: 'docs', scheduler: 'sync' });
    runtime.start();
    cleanups.push(() => runtime.shutdown());
    const bridge = attachOtelBridge(runtime, { meterProvider: pipeline.meterProvider });
    cleanups.push(bridge.detach);
    expect(bridge.mode).toBe('producer');
    expect(bridge.metricProducer).toBe(pipeline.metricProducer);
    await new ExampleStorage(runtime.createRecorder('r', { metrics: documentMetrics })).save(
      'a',
      'x',
    );
    const { resourceMetrics } = await pipeline.metricProducer.collect();
    const names = resourceMetrics.scopeMetrics.flatMap((s) =>
      s.metrics.map((m) => m.descriptor.name),
    );
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('docs.document.save.attempts');
    // the scrape test (prometheus-pipeline.test.ts) checks that each series appears once on /metrics
  });

  it('uses the global providers when none is given', async () => {
    const { runtime, reader, meterProvider } = setup();
    metrics.setGlobalMeterProvider(meterProvider);
    cleanups.push(() => metrics.disable());
    cleanups.push(attachOtelBridge(runtime).detach);
    await new ExampleStorage(runtime.createRecorder('r', { metrics: documentMetrics })).save(
      'a',
      'x',
    );
    expect(withoutHistograms(exportedSeries(await reader.read()))).toEqual(
      withoutHistograms(expectedSeries(runtime)),
    );
  });
});
