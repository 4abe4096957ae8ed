import { counter, gauge, histogram, MetricsRuntime, MetricsWiringError } from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline, type OtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findBinary, promtoolCheck } from '../support/prometheus.js';

const promtool = findBinary('promtool');

describe('metric names that collide in Prometheus are refused at wiring time', () => {
  let pipeline: OtelPipeline;
  let runtime: MetricsRuntime;

  beforeEach(async () => {
    pipeline = await createOtelPipeline({
      serviceName: 'reliability',
      prometheus: { host: '127.0.0.1', port: 0 },
      otlp: false,
      registerGlobals: false,
    });
    runtime = new MetricsRuntime({ namespace: 'rel', onError: () => {} });
    runtime.start();
  });
  afterEach(async () => {
    await runtime.shutdown();
    await pipeline.shutdown();
  });

  const attach = () => attachOtelBridge(runtime, { meterProvider: pipeline.meterProvider });

  async function expectOneFamilyEach(): Promise<string> {
    const body = await (await fetch(pipeline.prometheusUrl as string)).text();
    const types = body.split('\n').filter((line) => line.startsWith('# TYPE '));
    expect(new Set(types.map((t) => t.split(' ')[2])).size).toBe(types.length);
    if (promtool !== undefined)
      expect(promtoolCheck(promtool, body)).toEqual({ status: 0, output: '' });
    return body;
  }

  function thrown(wire: () => unknown): MetricsWiringError {
    try {
      wire();
    } catch (error) {
      expect(error).toBeInstanceOf(MetricsWiringError);
      return error as MetricsWiringError;
    }
    throw new Error('expected a MetricsWiringError');
  }

  it('refuses a.b and a_b in one recorder when the bridge attaches, leaving nothing half attached', async () => {
    runtime.createRecorder('storage', {
      metrics: [counter({ name: 'cache.hits', on: 'e' }), counter({ name: 'cache_hits', on: 'e' })],
    });
    const error = thrown(attach);
    expect(error.code).toBe('duplicate-metric');
    expect(error.message).toBe(
      `Metric "rel.cache_hits" of recorder "storage" and metric "rel.cache.hits" of recorder "storage" both become the Prometheus series "rel_cache_hits_total": rename one of them (Prometheus turns '.', '-' and '/' into '_').`,
    );
    // nothing was hooked: once the clash is gone, attaching works
    await runtime.removeRecorder('storage');
    const bridge = attach();
    runtime.createRecorder('fixed', { metrics: [counter({ name: 'cache.hits', on: 'e' })] });
    expect(await expectOneFamilyEach()).toContain('rel_cache_hits_total{recorder="fixed"');
    bridge.detach();
  });

  it('makes createRecorder throw when a later recorder brings a clashing name, and keeps serving', async () => {
    const bridge = attach();
    runtime.createRecorder('one', {
      metrics: [gauge({ name: 'queue-depth', on: 'e', value: () => 1 })],
    });
    const error = thrown(() =>
      runtime.createRecorder('two', {
        metrics: [gauge({ name: 'queue.depth', on: 'e', value: () => 2 })],
      }),
    );
    expect(error.message).toContain(
      'Metric "rel.queue.depth" of recorder "two" and metric "rel.queue-depth" of recorder "one" both become the Prometheus series "rel_queue_depth"',
    );
    expect(runtime.getRecorder('two')).toBeUndefined();
    runtime.getRecorder('one')?.registerEvent({ type: 'e' });
    const body = await expectOneFamilyEach();
    expect(body).toContain('rel_queue_depth{recorder="one",otel_scope_name="rel"} 1');
    // the name is free again once the recorder that held it is removed
    await runtime.removeRecorder('one');
    runtime.createRecorder('two', {
      metrics: [gauge({ name: 'queue.depth', on: 'e', value: () => 2 })],
    });
    bridge.detach();
  });

  it('refuses one name with two kinds, or two units, across recorders', async () => {
    const bridge = attach();
    runtime.createRecorder('a', {
      metrics: () => [
        gauge({ name: 'queue.size', on: 'e', value: () => 1 }),
        counter({ name: 'work.duration', unit: 's', on: 'e' }),
      ],
    });
    const kind = thrown(() =>
      runtime.createRecorder('b', { metrics: [counter({ name: 'queue.size', on: 'e' })] }),
    );
    expect(kind.message).toBe(
      'Metric "rel.queue.size" of recorder "b" is a counter without unit, but recorder "a" already exports it as a gauge without unit: one name must keep one kind and one unit; rename one of them.',
    );
    const unit = thrown(() =>
      runtime.createRecorder('c', {
        metrics: [counter({ name: 'work.duration', unit: 'ms', on: 'e' })],
      }),
    );
    expect(unit.message).toContain(
      'is a counter in "ms", but recorder "a" already exports it as a counter in "s"',
    );
    // the same metric in many recorders is the normal case: one family, a series per recorder
    runtime.createRecorder('d', {
      metrics: () => [
        gauge({ name: 'queue.size', on: 'e', value: () => 1 }),
        counter({ name: 'work.duration', unit: 's', on: 'e' }),
      ],
    });
    const body = await expectOneFamilyEach();
    expect(body).toContain('rel_queue_size{recorder="a"');
    expect(body).toContain('rel_queue_size{recorder="d"');
    bridge.detach();
  });

  it('refuses a histogram whose _count/_sum/_bucket series another metric already prints', () => {
    const bridge = attach();
    runtime.createRecorder('a', {
      metrics: [gauge({ name: 'latency.count', on: 'e', value: () => 1 })],
    });
    const error = thrown(() =>
      runtime.createRecorder('b', {
        metrics: [histogram({ name: 'latency', on: 'e', value: () => 1 })],
      }),
    );
    expect(error.message).toContain('both become the Prometheus series "rel_latency_count"');
    bridge.detach();
  });

  it('leaves a metric added after attach out of /metrics (reported) when it clashes, never printing a second family', async () => {
    const bridge = attach();
    const recorder = runtime.createRecorder('late', {
      metrics: [counter({ name: 'cache.hits', on: 'e' })],
    });
    recorder.addMetric(counter({ name: 'cache_hits', on: 'e' }));
    recorder.registerEvent({ type: 'e' });
    const collected = await pipeline.metricProducer.collect();
    expect(collected.errors).toEqual([]);
    const reported: string[] = [];
    diag.setLogger(
      {
        error: (...args: unknown[]) => reported.push(args.map(String).join(' ')),
        warn: () => {},
        info: () => {},
        debug: () => {},
        verbose: () => {},
      },
      DiagLogLevel.ERROR,
    );
    let body: string;
    try {
      body = await expectOneFamilyEach();
    } finally {
      diag.disable();
    }
    expect(reported.join('\n')).toContain(
      'otel-bridge: metric "rel.cache_hits" would print the Prometheus series "rel_cache_hits_total" that "rel.cache.hits" already prints',
    );
    expect(body).toContain('rel_cache_hits_total{recorder="late",otel_scope_name="rel"} 1');
    expect(body.match(/# TYPE rel_cache_hits_total/g)).toHaveLength(1);
    bridge.detach();
  });
});
