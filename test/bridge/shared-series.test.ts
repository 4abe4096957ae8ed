import {
  counter,
  gauge,
  histogram,
  type Metric,
  MetricsRuntime,
  upDownCounter,
} from '@mvx-metrics/core';
import { attachOtelBridge, createMetricProducer } from '@mvx-metrics/otel-bridge';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import {
  collectErrors,
  expectedSeries,
  exportedSeries,
  type Series,
  TestReader,
} from './helpers.js';

interface Request {
  type: 'request';
  method: string;
  seconds: number;
  /** An attribute of the user's own that happens to be called like the recorder attribute. */
  who?: string;
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** One metric of each kind, all keyed by `method` (plus the user's own `recorder` when asked). */
function requestMetrics(ownRecorderAttribute = false): () => Metric[] {
  const attributes = (e: Request) =>
    ownRecorderAttribute ? { method: e.method, recorder: e.who ?? '' } : { method: e.method };
  return () => [
    counter({ name: 'requests', on: 'request', attributes }),
    upDownCounter({ name: 'inflight', on: 'request', attributes, value: () => 1 }),
    gauge({ name: 'last.seconds', on: 'request', attributes, value: (e: Request) => e.seconds }),
    histogram({
      name: 'duration',
      unit: 's',
      on: 'request',
      attributes,
      value: (e: Request) => e.seconds,
      buckets: [0.5, 2],
    }),
  ];
}

function setup(path: 'producer' | 'instruments') {
  const errors = collectErrors(['attribute-shadowed', 'merge-conflict']);
  const runtime = new MetricsRuntime({
    namespace: 'srv',
    scheduler: 'sync',
    onError: errors.onError,
  });
  runtime.start();
  const producer = createMetricProducer();
  const reader = new TestReader(path === 'producer' ? [producer] : []);
  const meterProvider = new MeterProvider({ readers: [reader] });
  cleanups.push(
    () => meterProvider.shutdown(),
    () => runtime.shutdown(),
  );
  const attach = (recorderAttribute?: false) => {
    const options = {
      onError: errors.onError,
      selfTelemetry: false,
      ...(recorderAttribute === undefined ? {} : { recorderAttribute }),
    };
    const bridge = attachOtelBridge(
      runtime,
      path === 'producer'
        ? { ...options, metricProducer: producer }
        : { ...options, meterProvider },
    );
    cleanups.push(bridge.detach);
  };
  const reported = () => errors.all().map((e) => e.message);
  return { runtime, reader, attach, reported };
}

const find = (series: Series[], name: string, attributes: Record<string, string>) =>
  series.filter(
    (s) =>
      s.name === name &&
      JSON.stringify(Object.entries(s.attributes).sort()) ===
        JSON.stringify(Object.entries(attributes).sort()),
  );

describe.each(['producer', 'instruments'] as const)(
  '%s path: series that share attributes',
  (path) => {
    it('aggregates the same metric of two recorders when the recorder attribute is off', async () => {
      const { runtime, reader, attach, reported } = setup(path);
      attach(false);
      const one = runtime.createRecorder('connection-001', { metrics: requestMetrics() });
      const two = runtime.createRecorder('connection-002', { metrics: requestMetrics() });
      one.registerEvent({ type: 'request', method: 'GET', seconds: 0.25 });
      one.registerEvent({ type: 'request', method: 'GET', seconds: 1 });
      two.registerEvent({ type: 'request', method: 'GET', seconds: 4 });
      two.registerEvent({ type: 'request', method: 'PUT', seconds: 0.5 });

      const exported = exportedSeries(await reader.read()); // throws on a series exported twice
      expect(exported).toEqual(expectedSeries(runtime, false));
      const get = { method: 'GET' };
      expect(find(exported, 'srv.requests', get)).toMatchObject([{ kind: 'counter', value: 3 }]);
      expect(find(exported, 'srv.inflight', get)).toMatchObject([
        { kind: 'upDownCounter', value: 3 },
      ]);
      // gauges: the value of the recorder added last (in runtime order) wins
      expect(find(exported, 'srv.last.seconds', get)).toMatchObject([{ kind: 'gauge', value: 4 }]);
      expect(find(exported, 'srv.duration', get)).toMatchObject([
        { kind: 'histogram', count: 3, sum: 5.25, buckets: [1, 1, 1], boundaries: [0.5, 2] },
      ]);
      expect(find(exported, 'srv.requests', { method: 'PUT' })).toMatchObject([{ value: 1 }]);

      // later changes of one recorder keep the aggregate right
      one.registerEvent({ type: 'request', method: 'GET', seconds: 0.125 });
      const next = exportedSeries(await reader.read());
      expect(next).toEqual(expectedSeries(runtime, false));
      expect(find(next, 'srv.requests', get)).toMatchObject([{ value: 4 }]);
      expect(find(next, 'srv.last.seconds', get)).toMatchObject([{ value: 4 }]);
      expect(reported()).toEqual([]);
    });

    it('lets the recorder attribute win over a point attribute of that name, aggregates, and reports it once per metric', async () => {
      const { runtime, reader, attach, reported } = setup(path);
      attach();
      const recorder = runtime.createRecorder('connection-001', { metrics: requestMetrics(true) });
      recorder.registerEvent({ type: 'request', method: 'GET', seconds: 0.25, who: 'a' });
      recorder.registerEvent({ type: 'request', method: 'GET', seconds: 1, who: 'b' });
      recorder.registerEvent({ type: 'request', method: 'GET', seconds: 4, who: 'b' });

      const exported = exportedSeries(await reader.read());
      expect(exported).toEqual(expectedSeries(runtime));
      const get = { method: 'GET', recorder: 'connection-001' };
      expect(find(exported, 'srv.requests', get)).toMatchObject([{ value: 3 }]);
      expect(find(exported, 'srv.inflight', get)).toMatchObject([{ value: 3 }]);
      // the user's `recorder=b` series is the later point of the snapshot: its last value wins
      expect(find(exported, 'srv.last.seconds', get)).toMatchObject([{ value: 4 }]);
      expect(find(exported, 'srv.duration', get)).toMatchObject([
        { count: 3, sum: 5.25, buckets: [1, 1, 1] },
      ]);
      recorder.registerEvent({ type: 'request', method: 'PUT', seconds: 1, who: 'c' });
      expect(exportedSeries(await reader.read())).toEqual(expectedSeries(runtime));

      const messages = reported();
      for (const name of ['srv.requests', 'srv.inflight', 'srv.last.seconds', 'srv.duration']) {
        expect(
          messages.filter((m) => m.includes(`"${name}"`) && m.includes('"recorder"')),
        ).toHaveLength(1);
      }
      expect(messages).toHaveLength(4);
    });
  },
);
