import { counter, MetricsRuntime, MetricsWiringError } from '@mvx-metrics/core';
import { attachOtelBridge, type OtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline, type OtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  findBinary,
  parseSamples,
  promtoolFindings,
  repeatedFamilies,
} from '../support/prometheus.js';

// Items 2, 3 and 9 of issue 13: one family per name on /metrics, one bridge per recorder, one
// self-telemetry point per attribute set over OTLP.

const promtool = findBinary('promtool');

let pipeline: OtelPipeline;
const bridges: OtelBridge[] = [];
const runtimes: MetricsRuntime[] = [];

beforeAll(async () => {
  pipeline = await createOtelPipeline({
    serviceName: 'dups',
    prometheus: { host: '127.0.0.1', port: 0 },
    otlp: false,
    registerGlobals: false,
  });
});
afterEach(async () => {
  for (const bridge of bridges.splice(0)) bridge.detach();
  await Promise.all(runtimes.splice(0).map((r) => r.shutdown()));
});
afterAll(async () => {
  await pipeline?.shutdown();
});

function runtimeWith(namespace: string, metricName: string, recorder = 'r', unit?: string) {
  const runtime = new MetricsRuntime({ namespace, onError: () => {} });
  runtimes.push(runtime);
  runtime.start();
  const rec = runtime.createRecorder(recorder, {
    metrics: () => [
      counter({ name: metricName, on: 'x', ...(unit === undefined ? {} : { unit }) }),
    ],
  });
  return { runtime, recorder: rec };
}

function attach(target: Parameters<typeof attachOtelBridge>[0]): OtelBridge {
  const bridge = attachOtelBridge(target, {
    meterProvider: pipeline.meterProvider,
    onError: () => {},
  });
  bridges.push(bridge);
  return bridge;
}

async function scrape(): Promise<string> {
  const body = await (await fetch(pipeline.prometheusUrl as string)).text();
  expect(repeatedFamilies(body)).toEqual([]);
  if (promtool !== undefined) expect(promtoolFindings(promtool, body)).toEqual([]);
  return body;
}

function refused(wire: () => unknown): MetricsWiringError {
  let thrown: unknown;
  try {
    wire();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(MetricsWiringError);
  return thrown as MetricsWiringError;
}

async function familiesOnce(pairs: [string, string, number][]): Promise<void> {
  const accepted: { namespace: string; metric: string; count: number }[] = [];
  for (const [namespace, metric, count] of pairs) {
    const { runtime, recorder } = runtimeWith(namespace, metric, `r${accepted.length}`);
    try {
      attach(runtime);
    } catch (error) {
      expect(error).toBeInstanceOf(MetricsWiringError);
      continue;
    }
    for (let i = 0; i < count; i++) recorder.registerEvent({ type: 'x' });
    await recorder.flush();
    accepted.push({ namespace, metric, count });
  }
  // Two runtimes of one namespace with the same metric share its family: their counts add up.
  const expected = new Map<string, number>();
  for (const { namespace, metric, count } of accepted) {
    const family = `${`${namespace}.${metric}`.replace(/[^a-zA-Z0-9_]/g, '_').replace(/_+/g, '_')}_total`;
    const key = `${family} ${namespace}`;
    expected.set(key, (expected.get(key) ?? 0) + count);
  }
  const samples = parseSamples(await scrape());
  for (const [key, count] of expected) {
    const [family, namespace] = key.split(' ');
    const exported = samples
      .filter((s) => s.name === family && s.labels.otel_scope_name === namespace)
      .reduce((sum, s) => sum + s.value, 0);
    expect(exported, key).toBe(count);
  }
}

describe('one family per name on /metrics', () => {
  it('serves a body promtool accepts before anything is bridged (the exporter leaves the last line open)', async () => {
    const body = await scrape();
    expect(body.endsWith('\n')).toBe(true);
  });

  it('refuses namespace "shop" + metric "orders.count" next to namespace "shop.orders" + metric "count"', async () => {
    const a = runtimeWith('shop', 'orders.count');
    attach(a.runtime);
    const b = runtimeWith('shop.orders', 'count');
    expect(refused(() => attach(b.runtime)).message).toContain('"shop.orders.count"');
    a.recorder.registerEvent({ type: 'x' });
    await a.recorder.flush();
    const samples = parseSamples(await scrape()).filter(
      (s) => s.name === 'shop_orders_count_total',
    );
    expect(samples.map((s) => [s.labels.otel_scope_name, s.value])).toEqual([['shop', 1]]);
  });

  it('refuses a user metric named like the self-telemetry (mvx.recorder.events)', () => {
    // same kind and unit as the self-telemetry counter: only the scope tells them apart
    const a = runtimeWith('mvx', 'recorder.events', 'r', '{event}');
    expect(refused(() => attach(a.runtime)).message).toContain('mvx.recorder.events');
  });

  it('refuses a clashing recorder created after attach, and leaves a clashing metric added later out of /metrics', async () => {
    const a = runtimeWith('shop', 'orders.count');
    attach(a.runtime);
    const b = runtimeWith('shop.orders', 'other');
    attach(b.runtime);
    expect(() =>
      b.runtime.createRecorder('late', { metrics: () => [counter({ name: 'count', on: 'x' })] }),
    ).toThrow(MetricsWiringError);
    b.recorder.addMetric(counter({ name: 'count', on: 'x' })); // after attach: not seen at wiring
    b.recorder.registerEvent({ type: 'x' });
    await b.recorder.flush();
    await scrape();
  });

  it('gives any set of namespace/metric-name pairs one family per name, exported = core (fast-check)', async () => {
    // Namespaces and names chosen so that pairs meet: shop + orders.events = shop.orders + events,
    // shop_orders prints like shop.orders, mvx + recorder.events is self-telemetry.
    const namespace = fc.constantFrom('shop', 'shop.orders', 'shop_orders', 'mvx');
    const metric = fc.constantFrom('orders.events', 'events', 'recorder.events');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(namespace, metric, fc.integer({ min: 1, max: 3 })), {
          minLength: 1,
          maxLength: 5,
        }),
        async (pairs) => {
          try {
            await familiesOnce(pairs);
          } finally {
            // a failed run must not leave its bridges behind for the shrinking runs
            for (const bridge of bridges.splice(0)) bridge.detach();
            await Promise.all(runtimes.splice(0).map((r) => r.shutdown()));
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('one bridge per recorder', () => {
  it('refuses a bridge on a recorder whose runtime is bridged, and the reverse; core = /metrics', async () => {
    const a = runtimeWith('bridged', 'hits');
    attach(a.runtime);
    expect(refused(() => attach(a.recorder)).message).toContain('already has a bridge');
    a.recorder.registerEvent({ type: 'x' });
    await a.recorder.flush();
    const samples = parseSamples(await scrape());
    expect(samples.filter((s) => s.name === 'bridged_hits_total').map((s) => s.value)).toEqual([1]);
    const processed = samples.filter(
      (s) =>
        s.name === 'mvx_recorder_events_total' &&
        s.labels.mvx_namespace === 'bridged' &&
        s.labels.outcome === 'processed',
    );
    expect(processed.map((s) => s.value)).toEqual([1]);

    for (const bridge of bridges.splice(0)) bridge.detach();
    const b = runtimeWith('solo', 'hits');
    attach(b.recorder);
    expect(refused(() => attach(b.runtime)).message).toContain('already has a bridge');
    for (const bridge of bridges.splice(0)) bridge.detach();
    expect(() => attach(b.runtime)).not.toThrow(); // once the first is detached
  });
});

describe('self-telemetry over OTLP', () => {
  it('exports one point per attribute set when two runtimes of one namespace have a recorder of the same name', async () => {
    const a = runtimeWith('twin', 'hits', 'same');
    const b = runtimeWith('twin', 'hits', 'same');
    attach(a.runtime);
    attach(b.runtime);
    a.recorder.registerEvent({ type: 'x' });
    b.recorder.registerEvent({ type: 'x' });
    b.recorder.registerEvent({ type: 'x' });
    await Promise.all([a.recorder.flush(), b.recorder.flush()]);
    const { resourceMetrics } = await pipeline.metricProducer.collect();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        const ids = metric.dataPoints.map((p) =>
          JSON.stringify(Object.entries(p.attributes).sort()),
        );
        expect(new Set(ids).size, metric.descriptor.name).toBe(ids.length);
      }
    }
    const events = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'mvx.recorder.events');
    const processed = events?.dataPoints.find(
      (p) => p.attributes.outcome === 'processed' && p.attributes['mvx.namespace'] === 'twin',
    );
    expect(processed?.value).toBe(3);
    await scrape();
  });
});
