import { counter, MetricsRuntime, type NumberPoint } from '@mvx-metrics/core';
import { createTestRecorder } from '@mvx-metrics/core/testing';
import { attachOtelBridge, createMetricProducer } from '@mvx-metrics/otel-bridge';
import { MeterProvider, type MetricProducer, MetricReader } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';

// Item 10 of issue 13: the overflow point looks like OpenTelemetry's own, and flush() before
// start() behaves as documented.

class Reader extends MetricReader {
  constructor(options: ConstructorParameters<typeof MetricReader>[0] = {}) {
    super(options);
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

describe('the cardinality overflow point', () => {
  it('carries the attribute OpenTelemetry SDK emits for its own overflow, in core and exported', async () => {
    // What the SDK itself produces past a cardinality limit of 2.
    const sdkReader = new Reader({ cardinalitySelector: () => 2 });
    const provider = new MeterProvider({ readers: [sdkReader] });
    const sdkCounter = provider.getMeter('sdk').createCounter('c');
    for (const k of ['a', 'b', 'c']) sdkCounter.add(1, { k });
    const sdkPoints =
      (await sdkReader.collect()).resourceMetrics.scopeMetrics[0]?.metrics[0]?.dataPoints ?? [];
    const sdkOverflow = sdkPoints.find((p) => !('k' in p.attributes))?.attributes;
    expect(sdkOverflow).toBeDefined();

    const recorder = createTestRecorder([
      counter<{ k: string }>({
        name: 'c',
        on: 'x',
        attributes: (e) => ({ k: e.k }),
        cardinalityLimit: 2,
      }),
    ]);
    for (const k of ['a', 'b', 'c']) recorder.registerEvent({ type: 'x', k });
    const corePoints = recorder.getMetricSnapshots()[0]?.points as NumberPoint[];
    const coreOverflow = corePoints.find((p) => !('k' in p.attributes))?.attributes;
    expect(coreOverflow).toStrictEqual(sdkOverflow);

    const runtime = new MetricsRuntime({ namespace: 'ov', onError: () => {} });
    runtime.start();
    const live = runtime.createRecorder('r', {
      metrics: () => [
        counter<{ k: string }>({
          name: 'c',
          on: 'x',
          attributes: (e) => ({ k: e.k }),
          cardinalityLimit: 2,
        }),
      ],
    });
    const metricProducer = createMetricProducer();
    const bridge = attachOtelBridge(runtime, {
      metricProducer,
      recorderAttribute: false,
      onError: () => {},
    });
    for (const k of ['a', 'b', 'c']) live.registerEvent({ type: 'x', k });
    const reader = new Reader({ metricProducers: [metricProducer as MetricProducer] });
    new MeterProvider({ readers: [reader] });
    const exported = (await reader.collect()).resourceMetrics.scopeMetrics
      .find((s) => s.scope.name === 'ov')
      ?.metrics[0]?.dataPoints.find((p) => !('k' in p.attributes))?.attributes;
    expect(exported).toStrictEqual(sdkOverflow);
    bridge.detach();
    await runtime.shutdown();
  });
});

describe('flush() before start()', () => {
  it('stays pending until start() (documented), then resolves with the events processed', async () => {
    const runtime = new MetricsRuntime({ namespace: 'early', onError: () => {} });
    const recorder = runtime.createRecorder('r', {
      metrics: () => [counter({ name: 'c', on: 'x' })],
    });
    recorder.registerEvent({ type: 'x' });
    let flushed = false;
    const flush = recorder.flush().then(() => {
      flushed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(flushed).toBe(false);
    runtime.start();
    await flush;
    expect((recorder.getMetricSnapshots()[0]?.points[0] as NumberPoint | undefined)?.value).toBe(1);
    await runtime.shutdown();
  });
});
