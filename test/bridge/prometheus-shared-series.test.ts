import { counter, gauge, histogram, MetricsRuntime, upDownCounter } from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline, type OtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { afterEach, describe, expect, it } from 'vitest';
import { findBinary, parseSamples, promtoolCheck } from '../support/prometheus.js';
import { collectErrors } from './helpers.js';

// Missing promtool: a warning with the apt-get hint locally, an error under CI=true.
const promtool = findBinary('promtool');

interface Request {
  type: 'request';
  method: string;
  seconds: number;
}

const requestMetrics = () => {
  const attributes = (e: Request) => ({ method: e.method });
  return [
    counter({ name: 'requests', on: 'request', attributes }),
    upDownCounter({ name: 'inflight', on: 'request', attributes, value: () => 1 }),
    gauge({ name: 'last.seconds', on: 'request', attributes, value: (e: Request) => e.seconds }),
    histogram({
      name: 'duration',
      on: 'request',
      attributes,
      value: (e: Request) => e.seconds,
      buckets: [0.5, 2],
    }),
  ];
};

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('Prometheus /metrics with the recorder attribute off', () => {
  it('serves each series of two recorders once, aggregated, and passes promtool', async () => {
    const errors = collectErrors();
    const pipeline: OtelPipeline = await createOtelPipeline({
      serviceName: 'shared-series',
      prometheus: { host: '127.0.0.1', port: 0 },
      otlp: false,
      registerGlobals: false,
    });
    cleanups.push(() => pipeline.shutdown());
    const runtime = new MetricsRuntime({
      namespace: 'srv',
      scheduler: 'sync',
      onError: errors.onError,
    });
    runtime.start();
    cleanups.push(() => runtime.shutdown());
    const bridge = attachOtelBridge(runtime, {
      meterProvider: pipeline.meterProvider,
      recorderAttribute: false,
      onError: errors.onError,
    });
    cleanups.push(bridge.detach);
    const one = runtime.createRecorder('connection-001', { metrics: requestMetrics });
    const two = runtime.createRecorder('connection-002', { metrics: requestMetrics });
    one.registerEvent({ type: 'request', method: 'GET', seconds: 0.25 });
    two.registerEvent({ type: 'request', method: 'GET', seconds: 1 });
    two.registerEvent({ type: 'request', method: 'GET', seconds: 4 });

    const url = pipeline.prometheusUrl;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const response = await fetch(url as string);
    expect(response.status).toBe(200);
    const body = await response.text();

    const samples = parseSamples(body).filter((s) => s.name.startsWith('srv_'));
    const identities = samples.map(
      (s) => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`,
    );
    expect(new Set(identities).size).toBe(identities.length);
    const value = (name: string, labels: Record<string, string> = {}) =>
      samples
        .filter(
          (s) =>
            s.name === name &&
            s.labels.method === 'GET' &&
            Object.entries(labels).every(([k, v]) => s.labels[k] === v),
        )
        .map((s) => s.value);
    expect(value('srv_requests_total')).toEqual([3]);
    expect(value('srv_inflight')).toEqual([3]);
    expect(value('srv_last_seconds')).toEqual([4]);
    expect(value('srv_duration_count')).toEqual([3]);
    expect(value('srv_duration_sum')).toEqual([5.25]);
    expect(value('srv_duration_bucket', { le: '0.5' })).toEqual([1]);
    expect(value('srv_duration_bucket', { le: '2' })).toEqual([2]);
    expect(value('srv_duration_bucket', { le: '+Inf' })).toEqual([3]);
    expect(samples.some((s) => 'recorder' in s.labels)).toBe(false);

    if (promtool !== undefined) {
      const { status, output } = promtoolCheck(promtool, body);
      expect(output).toBe('');
      expect(status).toBe(0);
    }
    expect(errors.unexpected()).toEqual([]);
  });
});
