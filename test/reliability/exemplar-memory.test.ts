// Issue 18, item 7: exemplar memory is bounded by series × reservoir size, whatever attribute
// objects a metric hands over. A hand-written metric handing a fresh `update.attributes` object
// per event used to leave ~300 B per sampled event in a Map keyed by object identity.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  type Metric,
  type MetricSnapshot,
  MetricsRuntime,
  type MetricUpdate,
} from '@mvx-metrics/core';
import { attachOtelBridge, createMetricProducer } from '@mvx-metrics/otel-bridge';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TestReader } from '../bridge/helpers.js';

function retainedHeap(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Hands a fresh copy of one of `pool`'s attribute sets per event; keeps one total per set. */
class FreshAttributes implements Metric {
  readonly name = 'fresh';
  readonly descriptor = { name: 'fresh', kind: 'counter' } as const;
  private readonly totals: number[];

  constructor(private readonly pool: readonly Record<string, unknown>[]) {
    this.totals = pool.map(() => 0);
  }

  handleEvent(event: object, update?: MetricUpdate): boolean {
    const pick = (event as { pick?: number }).pick;
    if (pick === undefined) return false;
    this.totals[pick] = (this.totals[pick] as number) + 1;
    if (update !== undefined) {
      update.attributes = { ...(this.pool[pick] as Record<string, unknown>) } as never;
      update.value = 1;
    }
    return true;
  }

  snapshot(): MetricSnapshot {
    return {
      name: this.name,
      kind: 'counter',
      points: this.pool.map((attributes, i) => ({
        attributes: { ...attributes } as never,
        value: this.totals[i] as number,
      })),
    };
  }
}

const value = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('x', '\uD800', '\uDC00'), minLength: 1000, maxLength: 1100 }),
  fc.integer(),
  fc.boolean(),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }),
);
const pool = fc.array(fc.dictionary(fc.string({ maxLength: 8 }), value, { maxKeys: 3 }), {
  minLength: 1,
  maxLength: 8,
});

const EVENTS = 60_000;
const COLLECT_EVERY = 10_000;
// The leak this guards against kept ~300 B per event (18 MB for 60 000); bounded storage keeps
// a few KB per series. The allowance is far from both.
const ALLOWED_BYTES = 2 * 1024 * 1024;

describe('exemplar memory (issue 18, item 7)', () => {
  it('stays bounded by the series, not the events, when a metric hands fresh attribute objects', async () => {
    await fc.assert(
      fc.asyncProperty(pool, async (sets) => {
        const producer = createMetricProducer();
        const reader = new TestReader([producer]);
        new MeterProvider({ readers: [reader] });
        const runtime = new MetricsRuntime({ namespace: 'mem', onError: () => {} });
        runtime.start();
        const bridge = attachOtelBridge(runtime, {
          metricProducer: producer,
          exemplarFilter: 'always_on',
        });
        try {
          const recorder = runtime.createRecorder('r', {
            metrics: [new FreshAttributes(sets)],
            maxPendingEvents: 2 * COLLECT_EVERY,
          });
          const feed = async (n: number) => {
            for (let i = 0; i < n; i++) {
              recorder.registerEvent({ pick: i % sets.length });
              if ((i + 1) % COLLECT_EVERY === 0) await reader.read();
            }
            await reader.read();
          };
          await feed(COLLECT_EVERY); // every series seen, every lazy structure built
          const before = retainedHeap();
          await feed(EVENTS);
          const grown = retainedHeap() - before;
          expect(recorder.stats()).toMatchObject({ dropped: 0, failed: 0 });
          expect(grown).toBeLessThan(ALLOWED_BYTES);
        } finally {
          bridge.detach();
          await runtime.shutdown();
        }
      }),
      { numRuns: 6 },
    );
  }, 120_000);
});
