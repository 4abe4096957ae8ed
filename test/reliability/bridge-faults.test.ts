import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:net';
import {
  counter,
  histogram,
  type MetricsError,
  MetricsRuntime,
  MetricsWiringError,
  type NumberPoint,
} from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import type { MeterProvider as ApiMeterProvider, Histogram, Meter } from '@opentelemetry/api';
import {
  DataPointType,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';

class Reader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Sum of the exported points of `name` per recorder (counters) or their counts (histograms). */
function exported(data: ResourceMetrics, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const scope of data.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const point of metric.dataPoints) {
        const recorder = String(point.attributes.recorder);
        const value =
          metric.dataPointType === DataPointType.HISTOGRAM
            ? (point.value as { count: number }).count
            : (point.value as number);
        out[recorder] = (out[recorder] ?? 0) + value;
      }
    }
  }
  return out;
}

/** A MeterProvider whose histograms throw: on `record` of big values, or already when created. */
function throwingProvider(real: MeterProvider, how: 'record' | 'create'): ApiMeterProvider {
  return {
    getMeter(name, version, options) {
      const meter = real.getMeter(name, version, options);
      return new Proxy(meter, {
        get(target, property, receiver) {
          if (property !== 'createHistogram') return Reflect.get(target, property, receiver);
          return (...args: Parameters<Meter['createHistogram']>): Histogram => {
            if (how === 'create') throw new Error('createHistogram exploded');
            const inner = target.createHistogram(...args);
            return {
              record(value, attributes, context) {
                if (value > 100) throw new Error(`record(${value}) exploded`);
                inner.record(value, attributes, context);
              },
            };
          };
        },
      }) as Meter;
    },
  };
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a bridge whose OpenTelemetry instrument throws', () => {
  it.each(['record', 'create'] as const)(
    'keeps core state exact and the other instruments and recorders exporting (histogram %s throws)',
    async (how) => {
      const errors: MetricsError[] = [];
      const runtime = new MetricsRuntime({ namespace: 'rel', onError: (e) => errors.push(e) });
      runtime.start();
      const reader = new Reader();
      const real = new MeterProvider({ readers: [reader] });
      cleanups.push(
        () => real.shutdown(),
        () => runtime.shutdown(),
      );
      const bridge = attachOtelBridge(runtime, { meterProvider: throwingProvider(real, how) });
      cleanups.push(bridge.detach);
      expect(bridge.mode).toBe('instruments');
      const metrics = () => [
        counter({ name: 'requests', on: 'request' }),
        histogram({ name: 'size', on: 'request', value: (e: { size: number }) => e.size }),
      ];
      const a = runtime.createRecorder('a', { metrics });
      const b = runtime.createRecorder('b', { metrics });
      const sizes = [1, 500, 2, 1000, 3];
      for (const size of sizes) {
        a.registerEvent({ type: 'request', size });
        b.registerEvent({ type: 'request', size });
      }
      await Promise.all([a.flush(), b.flush()]);

      const throwsPerRecorder = how === 'record' ? 2 : sizes.length;
      for (const recorder of [a, b]) {
        const [requests, size] = recorder.getMetricSnapshots();
        expect((requests!.points[0] as NumberPoint).value).toBe(5);
        expect((size!.points[0] as { count: number }).count).toBe(5);
        expect(recorder.stats()).toMatchObject({ processed: 5, failed: throwsPerRecorder });
      }
      const { resourceMetrics, errors: collectErrors } = await reader.collect();
      expect(collectErrors).toEqual([]);
      expect(exported(resourceMetrics, 'rel.requests')).toEqual({ a: 5, b: 5 });
      if (how === 'record') expect(exported(resourceMetrics, 'rel.size')).toEqual({ a: 3, b: 3 });
      // reported once per recorder and kind, naming the recorder and the cause
      const failures = errors.filter((e) => e.code === 'listener-failed').map((e) => e.message);
      expect(failures).toHaveLength(2);
      expect(failures[0]).toMatch(
        how === 'record'
          ? /recorder "a" threw: record\(500\) exploded/
          : /recorder "a" threw: createHistogram exploded/,
      );
    },
  );
});

describe('Prometheus port already in use', () => {
  it('rejects with a clear error while the service keeps working, and a free port still serves', async () => {
    const blocker = createServer((socket) => socket.end('still mine\n'));
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const { port } = blocker.address() as AddressInfo;

    const runtime = new MetricsRuntime({ namespace: 'rel', onError: () => {} });
    runtime.start();
    cleanups.push(() => runtime.shutdown());
    const recorder = runtime.createRecorder('svc', {
      metrics: [counter({ name: 'requests', on: 'request' })],
    });
    recorder.registerEvent({ type: 'request' });

    const attempt = createOtelPipeline({
      serviceName: 'svc',
      prometheus: { host: '127.0.0.1', port },
      otlp: false,
      registerGlobals: false,
    });
    await expect(attempt).rejects.toBeInstanceOf(MetricsWiringError);
    await expect(attempt).rejects.toThrow(
      `createOtelPipeline: the Prometheus port ${port} is already in use (127.0.0.1 port ${port}). Stop the other process, or pass prometheus: { port: <another port> } (0 picks a free one), or prometheus: false.`,
    );

    // the service is unaffected: events keep flowing, the other process keeps its port
    recorder.registerEvent({ type: 'request' });
    await recorder.flush();
    expect((recorder.getMetricSnapshots()[0]!.points[0] as NumberPoint).value).toBe(2);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.setEncoding('utf8').once('data', (data: string) => {
        socket.destroy();
        resolve(data);
      });
      socket.once('error', reject);
    });
    expect(reply).toBe('still mine\n');
    // and the wiring can fall back to a free port
    const pipeline = await createOtelPipeline({
      serviceName: 'svc',
      prometheus: { host: '127.0.0.1', port: 0 },
      otlp: false,
      registerGlobals: false,
    });
    cleanups.push(() => pipeline.shutdown());
    const bridge = attachOtelBridge(runtime, { meterProvider: pipeline.meterProvider });
    cleanups.push(bridge.detach);
    const body = await (await fetch(pipeline.prometheusUrl as string)).text();
    expect(body).toContain('rel_requests_total{recorder="svc",otel_scope_name="rel"} 2');
  });
});
