// Issue 18, item 8: an attribute value is read once per event. A getter, a Proxy, or a value
// whose toJSON answers differently on each call must not give a point's identity one value and
// its stored attributes another (two core points with equal attributes, two OTLP points, one
// merged /metrics series). Counted for built-in metrics (object, Proxy and Map attributes,
// `initial` sets) and for a hand-written metric's `update.attributes`, with the bridge attached.
import {
  counter,
  histogram,
  type Metric,
  type MetricSnapshot,
  MetricsRuntime,
  type MetricUpdate,
} from '@mvx-metrics/core';
import { attachOtelBridge, createMetricProducer } from '@mvx-metrics/otel-bridge';
import { DataPointType, MeterProvider } from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TestReader } from '../bridge/helpers.js';

/** Calls counted for one event's attribute set. */
interface Reads {
  ownKeys: number;
  /** Per key: reads of the property (getter or Proxy `get`). */
  gets: Map<string, number>;
  /** Per key: calls of the value's toJSON / toString. */
  conversions: Map<string, number>;
}

type Shape = 'getters' | 'proxy' | 'map';
type ValueKind = 'primitive' | 'toJSON' | 'toString';

// Keys include every Object.prototype name: reading one must never reach the prototype.
const key = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom(...Object.getOwnPropertyNames(Object.prototype)),
  fc.constantFrom('\uD800', '\uDC00', 'a\u0000'),
);
const spec = fc.record({
  shape: fc.constantFrom<Shape>('getters', 'proxy', 'map'),
  entries: fc.uniqueArray(
    fc.tuple(key, fc.constantFrom<ValueKind>('primitive', 'toJSON', 'toString'), fc.string()),
    { selector: ([k]) => k, minLength: 1, maxLength: 4 },
  ),
});
type Spec = typeof spec extends fc.Arbitrary<infer T> ? T : never;

/** A value that answers differently each time it is converted, counting the conversions. */
function changingValue(kind: ValueKind, base: string, count: () => void): unknown {
  if (kind === 'primitive') return base;
  let calls = 0;
  const next = () => {
    count();
    return `${base}#${++calls}`;
  };
  return kind === 'toJSON' ? { toJSON: next } : { toString: next };
}

/** Builds one event's attributes from `spec`, and the counters of every read made of them. */
function build(s: Spec): { attributes: object; reads: Reads } {
  const reads: Reads = { ownKeys: 0, gets: new Map(), conversions: new Map() };
  const bump = (map: Map<string, number>, k: string) => map.set(k, (map.get(k) ?? 0) + 1);
  const values = new Map<string, unknown>();
  for (const [k, kind, base] of s.entries) {
    values.set(
      k,
      changingValue(kind, base, () => bump(reads.conversions, k)),
    );
  }
  if (s.shape === 'map') {
    // A Map's entries are read by iterating it once: count the iterations.
    const map = new Map(values);
    const iterate = map[Symbol.iterator].bind(map);
    Object.defineProperty(map, Symbol.iterator, {
      value: () => {
        reads.ownKeys++;
        for (const k of values.keys()) bump(reads.gets, k);
        return iterate();
      },
    });
    return { attributes: map, reads };
  }
  const target: Record<string, unknown> = {};
  for (const [k, value] of values) {
    Object.defineProperty(target, k, {
      enumerable: true,
      configurable: true,
      get: () => {
        if (s.shape === 'getters') bump(reads.gets, k);
        return value;
      },
    });
  }
  if (s.shape === 'getters') return { attributes: target, reads };
  const proxy = new Proxy(target, {
    ownKeys(t) {
      reads.ownKeys++;
      return Reflect.ownKeys(t);
    },
    get(t, k, receiver) {
      if (typeof k === 'string') bump(reads.gets, k);
      return Reflect.get(t, k, receiver);
    },
  });
  return { attributes: proxy, reads };
}

/** Each key read once, each value converted at most once (toJSON is; toString never is). */
function expectReadOnce(s: Spec, reads: Reads): void {
  for (const [k] of s.entries) {
    expect(reads.gets.get(k) ?? 0, `reads of ${JSON.stringify(k)} (${s.shape})`).toBe(1);
    expect(
      reads.conversions.get(k) ?? 0,
      `conversions of ${JSON.stringify(k)}`,
    ).toBeLessThanOrEqual(1);
  }
  if (s.shape !== 'getters') expect(reads.ownKeys, `enumerations (${s.shape})`).toBe(1);
}

/** Hands the event's attributes object itself as update.attributes. */
class HandsAttributes implements Metric {
  readonly name = 'hand';
  readonly descriptor = { name: 'hand', kind: 'counter' } as const;
  private total = 0;

  handleEvent(event: object, update?: MetricUpdate): boolean {
    const attributes = (event as { hand?: object }).hand;
    if (attributes === undefined) return false;
    this.total++;
    if (update !== undefined) {
      update.attributes = attributes as never;
      update.value = 1;
    }
    return true;
  }

  snapshot(): MetricSnapshot {
    return { name: this.name, kind: 'counter', points: [{ attributes: {}, value: this.total }] };
  }
}

/** No two points of one metric with equal attributes (core snapshot or exported). */
function expectDistinct(points: readonly { attributes: object }[], where: string): void {
  const seen = new Set<string>();
  for (const point of points) {
    const id = JSON.stringify(Object.entries(point.attributes).sort());
    expect(seen.has(id), `${where}: two points with attributes ${id}`).toBe(false);
    seen.add(id);
  }
}

describe('attribute values are read once per event (issue 18, item 8)', () => {
  it('built-in and hand-written metrics, with the bridge (exemplars on): one read per key, one conversion per value, never two equal points', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(spec, { minLength: 1, maxLength: 8 }),
        spec,
        async (specs, initialSpec) => {
          const producer = createMetricProducer();
          const reader = new TestReader([producer]);
          new MeterProvider({ readers: [reader] });
          const runtime = new MetricsRuntime({ namespace: 'once', onError: () => {} });
          runtime.start();
          const bridge = attachOtelBridge(runtime, {
            metricProducer: producer,
            exemplarFilter: 'always_on',
          });
          try {
            const initial = build(initialSpec);
            const recorder = runtime.createRecorder('r', {
              metrics: [
                counter<{ attrs?: object }>({
                  name: 'c',
                  on: 'c',
                  attributes: (e) => e.attrs as Record<string, unknown>,
                  initial: [initial.attributes as never],
                }),
                histogram<{ attrs?: object }>({
                  name: 'h',
                  on: 'h',
                  value: () => 1,
                  attributes: (e) => e.attrs as Record<string, unknown>,
                }),
                new HandsAttributes(),
              ],
            });
            expectReadOnce(initialSpec, initial.reads);
            // Each event: an attribute set of its own, so each metric's reads are counted apart.
            const builtIn = specs.map((s) => [build(s), build(s)] as const);
            const handed = specs.map((s) => build(s));
            for (const [i, [forCounter, forHistogram]] of builtIn.entries()) {
              recorder.registerEvent({ type: 'c', attrs: forCounter.attributes });
              recorder.registerEvent({ type: 'h', attrs: forHistogram.attributes });
              recorder.registerEvent({
                type: 'x',
                hand: (handed[i] as { attributes: object }).attributes,
              });
            }
            await recorder.flush();
            const exported = await reader.read();
            for (const [i, s] of specs.entries()) {
              const [forCounter, forHistogram] = builtIn[i] as (typeof builtIn)[number];
              expectReadOnce(s, forCounter.reads);
              expectReadOnce(s, forHistogram.reads);
              expectReadOnce(s, (handed[i] as { reads: Reads }).reads);
            }
            for (const snapshot of recorder.getMetricSnapshots()) {
              expectDistinct(snapshot.points, `core ${snapshot.name}`);
            }
            for (const metric of exported.scopeMetrics.flatMap((s) => s.metrics)) {
              if (metric.dataPointType === DataPointType.GAUGE) continue;
              expectDistinct(metric.dataPoints, `exported ${metric.descriptor.name}`);
            }
            const total = (name: string) =>
              recorder
                .getMetricSnapshots()
                .find((m) => m.name === name)
                ?.points.reduce((n, p) => n + ('count' in p ? p.count : p.value), 0);
            expect(total('c')).toBe(specs.length);
            expect(total('h')).toBe(specs.length);
            expect(recorder.stats()).toMatchObject({ failed: 0 });
          } finally {
            bridge.detach();
            await runtime.shutdown();
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
