import { counter, histogram, MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge, createMetricProducer } from '@mvx-metrics/otel-bridge';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TestReader } from './helpers.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const metrics = () => [
  counter({ name: 'hits', on: 'hit', attributes: (e: { k: string }) => ({ k: e.k }) }),
  histogram({ name: 'size', on: 'hit', value: () => 2, buckets: [1, 5] }),
];

function setup(path: 'producer' | 'instruments') {
  const runtime = new MetricsRuntime({ namespace: 'once' });
  runtime.start();
  const producer = createMetricProducer();
  const reader = new TestReader(path === 'producer' ? [producer] : []);
  const meterProvider = new MeterProvider({ readers: [reader] });
  const recorders = ['a', 'b', 'c'].map((name) => runtime.createRecorder(name, { metrics }));
  const bridge = attachOtelBridge(
    runtime,
    path === 'producer' ? { metricProducer: producer } : { meterProvider },
  );
  cleanups.push(
    () => runtime.shutdown(),
    () => meterProvider.shutdown(),
    () => bridge.detach(),
  );
  for (const recorder of recorders) recorder.registerEvent({ type: 'hit', k: recorder.name });
  const stats = recorders.map((recorder) => vi.spyOn(recorder, 'stats'));
  const processPending = vi.spyOn(runtime, 'processPending');
  return { reader, stats, processPending, recorders };
}

describe('a collection does each per-recorder thing once', () => {
  it.each(['producer', 'instruments'] as const)(
    '%s path: one processPending() per collection, one stats() per recorder, self-telemetry included',
    async (path) => {
      const { reader, stats, processPending, recorders } = setup(path);
      for (let collection = 1; collection <= 3; collection++) {
        const resourceMetrics = await reader.read();
        const names = resourceMetrics.scopeMetrics
          .flatMap((s) => s.metrics)
          .map((m) => m.descriptor.name);
        // self-telemetry was exported from the same reading
        expect(names).toEqual(expect.arrayContaining(['once.hits', 'mvx.recorder.events']));
        expect(processPending).toHaveBeenCalledTimes(collection);
        for (const spy of stats) expect(spy).toHaveBeenCalledTimes(collection);
        recorders[0]?.registerEvent({ type: 'hit', k: 'again' });
      }
    },
  );

  it('builds the self-telemetry attribute sets of a recorder once, not per collection', async () => {
    const { reader } = setup('producer');
    const selfAttributes = async () =>
      (await reader.read()).scopeMetrics
        .flatMap((s) => s.metrics)
        .filter((m) => m.descriptor.name.startsWith('mvx.recorder.'))
        .flatMap((m) => m.dataPoints.map((p) => p.attributes));
    const first = await selfAttributes();
    const second = await selfAttributes();
    expect(first.length).toBe(3 * 7);
    for (const [i, attributes] of second.entries()) expect(attributes).toBe(first[i]);
  });
});
