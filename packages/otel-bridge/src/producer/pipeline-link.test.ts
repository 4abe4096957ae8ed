import { counter, MetricsRuntime } from '@mvx-metrics/core';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { attachOtelBridge } from '../attach/attach-otel-bridge.js';
import { createOtelPipeline } from '../pipeline/create-otel-pipeline.js';
import { MvxMetricProducer } from './mvx-metric-producer.js';
import { carryPipelineLink, type PipelineLink, pipelineLinkOf } from './pipeline-link.js';

const health: PipelineLink['health'] = {
  track: () => () => {},
  hold: () => {},
  flush: () => Promise.resolve(),
};

function runtime(namespace: string) {
  const created = new MetricsRuntime({ namespace, scheduler: 'sync' });
  created.start();
  created.createRecorder('r', { metrics: () => [counter({ name: 'done', on: 'done' })] });
  return created;
}

describe('a pipeline hands its wiring to the bridges attached to it', () => {
  it('travels on the provider and producer, invisible to their keys and read-only', () => {
    const provider = new MeterProvider();
    const producer = new MvxMetricProducer();
    const keysBefore = Reflect.ownKeys(provider);
    const link: PipelineLink = { producer, exemplarFilter: 'always_on', health };
    carryPipelineLink(link, provider, producer);
    expect(pipelineLinkOf(provider)).toBe(link);
    expect(pipelineLinkOf(producer)).toBe(link);
    expect(Object.keys(provider)).toEqual(Object.keys(new MeterProvider()));
    expect(Reflect.ownKeys(provider).length).toBe(keysBefore.length + 1);
    expect(() => carryPipelineLink({ ...link }, provider)).toThrow(TypeError);
    expect(pipelineLinkOf(provider)).toBe(link);
  });

  it('finds no link on an object no pipeline built, nor on a proxy that throws', () => {
    expect(pipelineLinkOf(new MeterProvider())).toBeUndefined();
    expect(pipelineLinkOf(new MvxMetricProducer())).toBeUndefined();
    const hostile = new Proxy(new MeterProvider(), {
      get: () => {
        throw new Error('no reads');
      },
    });
    expect(pipelineLinkOf(hostile)).toBeUndefined();
  });

  it('feeds each pipeline from the bridges given its provider, two pipelines side by side', async () => {
    const options = { prometheus: false, otlp: false, registerGlobals: false } as const;
    const one = await createOtelPipeline({
      serviceName: 'one',
      ...options,
      exemplarFilter: 'always_on',
    });
    const two = await createOtelPipeline({ serviceName: 'two', ...options });
    const a = runtime('a');
    const b = runtime('b');
    const bridgeA = attachOtelBridge(a, { meterProvider: one.meterProvider });
    const bridgeB = attachOtelBridge(b, { meterProvider: two.meterProvider });
    try {
      expect(bridgeA.mode).toBe('producer');
      expect(bridgeA.metricProducer).toBe(one.metricProducer);
      expect(bridgeB.metricProducer).toBe(two.metricProducer);
      expect(pipelineLinkOf(one.meterProvider)?.exemplarFilter).toBe('always_on');
      expect(pipelineLinkOf(one.metricProducer)?.producer).toBe(one.metricProducer);
      a.getRecorder('r')?.registerEvent({ type: 'done' });
      const done = async (pipeline: typeof one) =>
        (await pipeline.metricProducer.collect()).resourceMetrics.scopeMetrics
          .flatMap((scope) => scope.metrics)
          .filter((metric) => metric.descriptor.name.endsWith('.done'))
          .map((metric) => [metric.descriptor.name, metric.dataPoints.map((p) => p.value)]);
      expect(await done(one)).toEqual([['a.done', [1]]]);
      expect(await done(two)).toEqual([['b.done', [0]]]);
      // A provider no pipeline built: the instruments path.
      const c = runtime('c');
      const own = attachOtelBridge(c, { meterProvider: new MeterProvider() });
      expect(own.mode).toBe('instruments');
      own.detach();
      await c.shutdown();
    } finally {
      bridgeA.detach();
      bridgeB.detach();
      await a.shutdown();
      await b.shutdown();
      await one.shutdown();
      await two.shutdown();
    }
  });
});
