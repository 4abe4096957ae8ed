import {
  counter,
  type Metric,
  type MetricsError,
  MetricsRecorder,
  MetricsRuntime,
  type MetricUpdate,
} from '@mvx-metrics/core';
import { DocumentSaveAttempt, DocumentSaveResultsMetric } from '@mvx-metrics/examples';
import { attachOtelBridge, createMetricProducer } from '@mvx-metrics/otel-bridge';
import { ValueType } from '@opentelemetry/api';
import { DataPointType, MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it, vi } from 'vitest';
import { documentMetrics, ExampleStorage } from './example-storage.js';
import {
  cleanUpAfterEach,
  expectedSeries,
  exportedSeries,
  selfValue,
  TestReader,
} from './helpers.js';

const { cleanups, errors } = cleanUpAfterEach();

function setup(options: { scheduler?: 'sync' | 'immediate' } = {}) {
  const runtime = new MetricsRuntime({
    namespace: 'docs',
    scheduler: options.scheduler ?? 'immediate',
    onError: errors.onError,
  });
  runtime.start();
  const producer = createMetricProducer();
  const reader = new TestReader([producer]);
  const meterProvider = new MeterProvider({ readers: [reader] });
  cleanups.push(
    () => meterProvider.shutdown(),
    () => runtime.shutdown(),
  );
  return { runtime, producer, reader };
}

describe('MetricProducer path', () => {
  it('exports every kind exactly as the snapshots say, histogram buckets included', async () => {
    const { runtime, producer, reader } = setup();
    const bridge = attachOtelBridge(runtime, { metricProducer: producer });
    cleanups.push(() => bridge.detach());
    const storage = new ExampleStorage(
      runtime.createRecorder('document_storage', { metrics: documentMetrics }),
    );
    await storage.save('a', 'hello', 0.004);
    await storage.save('b', 'hello world', 0.3);
    await storage.save('', 'x');
    await storage.get('a');
    await storage.get('b');
    await storage.delete('b');

    const exported = exportedSeries(await reader.read());
    expect(exported).toEqual(expectedSeries(runtime));
    const duration = exported.find(
      (s) => s.name === 'docs.document.save.duration' && s.attributes.outcome === 'success',
    );
    expect(duration).toMatchObject({ count: 2, sum: 0.304, kind: 'histogram' });
    expect(exported.find((s) => s.name === 'docs.documents.stored')).toMatchObject({
      value: 1,
      kind: 'upDownCounter',
    });
    expect(exported.find((s) => s.name === 'docs.documents.stored.size')).toMatchObject({
      value: 5,
      kind: 'gauge',
    });
    expect(bridge.mode).toBe('producer');
  });

  it('sees events registered right before the collection (freshness)', async () => {
    const { runtime, producer, reader } = setup();
    cleanups.push(attachOtelBridge(runtime, { metricProducer: producer }).detach);
    const recorder = runtime.createRecorder('r', { metrics: documentMetrics });
    await new ExampleStorage(recorder).save('a', 'x');
    expect(recorder.stats().pending).toBeGreaterThan(0);
    const exported = exportedSeries(await reader.read());
    const attempts = exported.find(
      (s) => s.name === 'docs.document.save.attempts' && s.attributes.outcome === 'success',
    );
    expect(attempts?.value).toBe(1);
  });

  it('follows changes between collections and re-reads only the metrics that changed', async () => {
    const { runtime, producer, reader } = setup();
    cleanups.push(attachOtelBridge(runtime, { metricProducer: producer }).detach);
    const recorder = runtime.createRecorder('r', { metrics: documentMetrics });
    const storage = new ExampleStorage(recorder);
    const snapshotCalls = new Map<string, number>();
    for (const metric of recorder.getMetrics()) {
      const original = metric.snapshot.bind(metric);
      metric.snapshot = () => {
        snapshotCalls.set(metric.name, (snapshotCalls.get(metric.name) ?? 0) + 1);
        return original();
      };
    }
    await storage.save('a', 'x');
    expect(exportedSeries(await reader.read())).toEqual(expectedSeries(runtime));
    snapshotCalls.clear();
    for (let i = 0; i < 100; i++) await storage.get('a');
    const exported = exportedSeries(await reader.read());
    const hits = exported.find(
      (s) => s.name === 'docs.document.lookups' && s.attributes.result === 'hit',
    );
    expect(hits?.value).toBe(100);
    // at most one re-read of the metric that changed, however many events; none of the others
    expect([...snapshotCalls]).toEqual([['document.lookups', 1]]);
    const expected = expectedSeries(runtime);
    snapshotCalls.clear();
    expect(exportedSeries(await reader.read())).toEqual(expected);
    expect(snapshotCalls.size).toBe(0);
  });

  it('includes state from before the bridge attached and initial zero points', async () => {
    const { runtime, producer, reader } = setup();
    const storage = new ExampleStorage(
      runtime.createRecorder('early', { metrics: documentMetrics }),
    );
    await storage.save('a', 'abc', 0.01);
    await runtime.recorders()[0]?.flush();
    cleanups.push(attachOtelBridge(runtime, { metricProducer: producer }).detach);
    const exported = exportedSeries(await reader.read());
    expect(exported).toEqual(expectedSeries(runtime));
    const failures = exported.find(
      (s) => s.name === 'docs.document.save.attempts' && s.attributes.outcome === 'failure',
    );
    expect(failures?.value).toBe(0);
    const saved = exported.find(
      (s) => s.name === 'docs.document.save.duration' && s.attributes.outcome === 'success',
    );
    expect(saved?.count).toBe(1);
  });

  it('carries metadata: scope = namespace, name = namespace.metric, unit, description, cumulative temporality', async () => {
    const { runtime, producer, reader } = setup();
    cleanups.push(attachOtelBridge(runtime, { metricProducer: producer }).detach);
    runtime.createRecorder('r', { metrics: documentMetrics });
    const data = await reader.read();
    const scope = data.scopeMetrics.find((s) => s.scope.name === 'docs');
    const attempts = scope?.metrics.find(
      (m) => m.descriptor.name === 'docs.document.save.attempts',
    );
    expect(attempts?.descriptor).toEqual({
      name: 'docs.document.save.attempts',
      unit: '',
      description: 'Document save attempts by outcome (success, invalid, failure)',
      valueType: ValueType.DOUBLE,
    });
    const duration = scope?.metrics.find(
      (m) => m.descriptor.name === 'docs.document.save.duration',
    );
    expect(duration?.descriptor).toMatchObject({ unit: 's' });
    expect(duration?.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(attempts?.dataPointType).toBe(DataPointType.SUM);
    expect(attempts && 'isMonotonic' in attempts && attempts.isMonotonic).toBe(true);
    const stored = scope?.metrics.find((m) => m.descriptor.name === 'docs.documents.stored');
    expect(stored && 'isMonotonic' in stored && stored.isMonotonic).toBe(false);
    expect(stored?.descriptor.unit).toBe('{document}');
    const size = scope?.metrics.find((m) => m.descriptor.name === 'docs.documents.stored.size');
    expect(size?.dataPointType).toBe(DataPointType.GAUGE);
    expect(size?.descriptor.unit).toBe('By');
  });

  it('keeps the start time of a cumulative series stable across collections', async () => {
    const { runtime, producer, reader } = setup();
    cleanups.push(attachOtelBridge(runtime, { metricProducer: producer }).detach);
    const storage = new ExampleStorage(runtime.createRecorder('r', { metrics: documentMetrics }));
    await storage.save('a', 'x');
    const startOf = async () => {
      const data = await reader.read();
      const metric = data.scopeMetrics[0]?.metrics.find(
        (m) => m.descriptor.name === 'docs.document.save.attempts',
      );
      return metric?.dataPoints.map((p) => [p.startTime, p.endTime]) ?? [];
    };
    const first = await startOf();
    await storage.save('b', 'y');
    await new Promise((r) => setTimeout(r, 5));
    const second = await startOf();
    expect(second.map((p) => p[0])).toEqual(first.map((p) => p[0]));
    expect(second[0]?.[1]).not.toEqual(first[0]?.[1]);
  });

  it('drops the series of a removed recorder from the next collection', async () => {
    const { runtime, producer, reader } = setup();
    cleanups.push(attachOtelBridge(runtime, { metricProducer: producer }).detach);
    await new ExampleStorage(runtime.createRecorder('conn-1', { metrics: documentMetrics })).save(
      'a',
      'x',
    );
    await new ExampleStorage(runtime.createRecorder('conn-2', { metrics: documentMetrics })).save(
      'b',
      'y',
    );
    const before = exportedSeries(await reader.read(), []);
    expect(before.some((s) => s.attributes.recorder === 'conn-1')).toBe(true);
    await runtime.removeRecorder('conn-1');
    const after = exportedSeries(await reader.read(), []);
    expect(after.some((s) => s.attributes.recorder === 'conn-1')).toBe(false);
    expect(after.some((s) => s.attributes.recorder === 'conn-2')).toBe(true);
    expect(exportedSeries(await reader.read())).toEqual(expectedSeries(runtime));
  });

  it('exports nothing after detach and leaves no hook on the recorders', async () => {
    const { runtime, producer, reader } = setup({ scheduler: 'sync' });
    const recorder = runtime.createRecorder('r', { metrics: documentMetrics });
    let hooked = 0;
    const original = recorder.onChange.bind(recorder);
    recorder.onChange = (listener) => {
      hooked++;
      const off = original(listener);
      return () => {
        hooked--;
        off();
      };
    };
    const bridge = attachOtelBridge(runtime, { metricProducer: producer, spans: true });
    expect(hooked).toBe(1);
    bridge.detach();
    bridge.detach();
    expect(hooked).toBe(0);
    await new ExampleStorage(recorder).save('a', 'x');
    expect((await reader.read()).scopeMetrics).toEqual([]);
    // a new bridge may attach after detach
    cleanups.push(attachOtelBridge(runtime, { metricProducer: producer }).detach);
    expect(exportedSeries(await reader.read())).toEqual(expectedSeries(runtime));
  });

  it('exports the overflow point once the cardinality limit is reached', async () => {
    const { runtime, producer, reader } = setup({ scheduler: 'sync' });
    cleanups.push(attachOtelBridge(runtime, { metricProducer: producer }).detach);
    const recorder = runtime.createRecorder('r', {
      metrics: () => [
        counter({
          name: 'hits',
          on: 'hit',
          attributes: (e: { k: string }) => ({ k: e.k }),
          cardinalityLimit: 3,
        }),
      ],
    });
    for (const k of ['a', 'b', 'c', 'd', 'c']) recorder.registerEvent({ type: 'hit', k });
    const exported = exportedSeries(await reader.read());
    expect(exported).toEqual(expectedSeries(runtime));
    expect(exported.find((s) => s.attributes['otel.metric.overflow'] === true)?.value).toBe(3);
  });

  it('exports recorder stats as self-telemetry', async () => {
    const { runtime, producer, reader } = setup({ scheduler: 'sync' });
    cleanups.push(attachOtelBridge(runtime, { metricProducer: producer }).detach);
    const recorder = runtime.createRecorder('r', {
      metrics: documentMetrics,
      maxPendingEvents: 128,
      unhandledEvents: 'ignore', // an ignored event on purpose, for the `ignored` count
    });
    await new ExampleStorage(recorder).save('a', 'x');
    recorder.registerEvent({ type: 'nobody-listens' });
    const data = await reader.read();
    const stats = recorder.stats();
    for (const outcome of ['processed', 'accepted', 'ignored', 'dropped', 'failed'] as const) {
      expect(
        selfValue(data, 'mvx.recorder.events', { recorder: 'r', 'mvx.namespace': 'docs', outcome }),
      ).toBe(stats[outcome]);
    }
    expect(stats.ignored).toBe(1);
    expect(
      selfValue(data, 'mvx.recorder.pending', { recorder: 'r', 'mvx.namespace': 'docs' }),
    ).toBe(0);
    expect(
      selfValue(data, 'mvx.recorder.capacity', { recorder: 'r', 'mvx.namespace': 'docs' }),
    ).toBe(128);
  });

  it('names the recorder under a custom attribute, or not at all', async () => {
    const { runtime, producer, reader } = setup({ scheduler: 'sync' });
    cleanups.push(
      attachOtelBridge(runtime, { metricProducer: producer, recorderAttribute: 'scope' }).detach,
    );
    await new ExampleStorage(runtime.createRecorder('r', { metrics: documentMetrics })).save(
      'a',
      'x',
    );
    expect(exportedSeries(await reader.read())).toEqual(expectedSeries(runtime, 'scope'));
  });

  it('mirrors a bare recorder under the namespace option', async () => {
    const { producer, reader } = setup();
    const { MetricsRecorder } = await import('@mvx-metrics/core');
    const recorder = new MetricsRecorder('solo', { metrics: documentMetrics(), scheduler: 'sync' });
    recorder.start();
    cleanups.push(
      attachOtelBridge(recorder, {
        metricProducer: producer,
        namespace: 'solo_app',
        recorderAttribute: false,
      }).detach,
    );
    await new ExampleStorage(recorder).save('a', 'x');
    const exported = exportedSeries(await reader.read());
    expect(exported.map((s) => s.name)).toContain('solo_app.document.save.attempts');
    expect(exported.every((s) => s.scope === 'solo_app' && !('recorder' in s.attributes))).toBe(
      true,
    );
  });

  it('exports hand-written metrics: known kinds as themselves, unknown kinds as gauges, reported once', async () => {
    const { runtime, producer, reader } = setup({ scheduler: 'sync' });
    const bridgeErrors: MetricsError[] = [];
    cleanups.push(
      attachOtelBridge(runtime, {
        metricProducer: producer,
        onError: (error) => bridgeErrors.push(error),
      }).detach,
    );
    const ratio = {
      name: 'handwritten.ratio',
      handleEvent: () => false,
      snapshot: () => ({
        name: 'handwritten.ratio',
        kind: 'ratio',
        points: [{ attributes: { a: 'b' }, value: 0.25 }],
      }),
    };
    // the example's own hand-written metric (packages/examples), a counter in the seed's style
    const recorder = runtime.createRecorder('hw', {
      metrics: () => [new DocumentSaveResultsMetric(), ratio],
    });
    recorder.registerEvent(new DocumentSaveAttempt('success', 0.1));
    recorder.registerEvent(new DocumentSaveAttempt('success', 0.1));
    recorder.registerEvent(new DocumentSaveAttempt('invalid', 0.1));
    const exported = exportedSeries(await reader.read());
    await reader.read();
    expect(bridgeErrors.map((e) => e.code)).toEqual(['unknown-kind']);
    expect(bridgeErrors[0]?.message).toContain(
      '"docs.handwritten.ratio" declares the kind "ratio"',
    );
    expect(exported).toEqual([
      {
        scope: 'docs',
        name: 'docs.document.save.results',
        kind: 'counter',
        attributes: { result: 'failure', recorder: 'hw' },
        value: 1,
      },
      {
        scope: 'docs',
        name: 'docs.document.save.results',
        kind: 'counter',
        attributes: { result: 'success', recorder: 'hw' },
        value: 2,
      },
      {
        scope: 'docs',
        name: 'docs.handwritten.ratio',
        kind: 'gauge',
        attributes: { a: 'b', recorder: 'hw' },
        value: 0.25,
      },
    ]);
  });

  it('builds no change for events registered without a context while every metric is read live; logs a hand-written metric once one is found, exporting every metric exactly', async () => {
    const { runtime, producer, reader } = setup({ scheduler: 'sync' });
    const subscribed = vi.spyOn(MetricsRecorder.prototype, 'onChange');
    cleanups.push(() => subscribed.mockRestore());
    cleanups.push(attachOtelBridge(runtime, { metricProducer: producer }).detach);
    // A hand-written counter that notes whether the recorder handed it a MetricUpdate.
    const updates: boolean[] = [];
    const totals = new Map<string, number>();
    const handWritten: Metric = {
      name: 'hand.saves',
      handleEvent(event: object, update?: MetricUpdate) {
        if (!(event instanceof DocumentSaveAttempt)) return false;
        updates.push(update !== undefined);
        totals.set(event.outcome, (totals.get(event.outcome) ?? 0) + 1);
        if (update !== undefined) {
          update.attributes = { outcome: event.outcome };
          update.value = 1;
        }
        return true;
      },
      snapshot: () => ({
        name: 'hand.saves',
        kind: 'counter',
        points: [...totals].map(([outcome, value]) => ({ attributes: { outcome }, value })),
      }),
    };
    const saves = () =>
      counter({
        name: 'saves',
        on: DocumentSaveAttempt,
        attributes: (e: DocumentSaveAttempt) => ({ outcome: e.outcome }),
      });
    const builtIns = runtime.createRecorder('built-ins', { metrics: () => [saves()] });
    const mixed = runtime.createRecorder('hw', { metrics: () => [handWritten, saves()] });
    // Both recorders subscribed the bridge's hook to changes with a context only.
    expect(subscribed.mock.calls.map(([, options]) => options)).toEqual([
      { transient: true, withContext: true },
      { transient: true, withContext: true },
    ]);
    for (const round of [1, 2, 3]) {
      for (let i = 0; i < round; i++) {
        const attempt = new DocumentSaveAttempt(i % 2 === 0 ? 'success' : 'invalid', 0.1);
        builtIns.registerEvent(attempt);
        mixed.registerEvent(attempt);
      }
      // Live built-ins and the logged hand-written metric equal core state every time.
      expect(exportedSeries(await reader.read())).toEqual(expectedSeries(runtime));
    }
    // No change before the first collection; from it on, the hand-written metric's are logged.
    expect(updates).toEqual([false, true, true, true, true, true]);
    // Only the recorder with a hand-written metric took every change; the other never did.
    expect(subscribed.mock.calls.slice(2).map(([, options]) => options)).toEqual([
      { transient: true },
    ]);
  });

  it('refuses a second bridge on the same runtime', () => {
    const { runtime, producer } = setup();
    cleanups.push(attachOtelBridge(runtime, { metricProducer: producer }).detach);
    expect(() => attachOtelBridge(runtime, { metricProducer: producer })).toThrow(
      /already has a bridge/,
    );
  });
});
