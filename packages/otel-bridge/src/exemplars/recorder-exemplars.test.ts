import { normalizeAttributes } from '@mvx-metrics/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricExemplars } from './recorder-exemplars.js';
import { FixedSizeReservoir } from './reservoir.js';
import type { BridgeExemplar } from './types.js';

const at = (value: number): BridgeExemplar => ({ value, time: value, traceId: '', spanId: '' });
const nasty = fc.string({
  unit: fc.constantFrom('a', '\uD800', '\uDC00', '\u0000', '.'),
  maxLength: 3,
});
const attributeSet = fc.dictionary(nasty, fc.oneof(nasty, fc.integer(), fc.boolean()), {
  maxKeys: 3,
});

describe('MetricExemplars (issue 18, item 7)', () => {
  it('keeps one reservoir per series whatever attribute objects it is handed: fresh objects of one series share it', () => {
    fc.assert(
      fc.property(
        fc.array(attributeSet, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 200 }),
        (pool, picks) => {
          // Big enough to keep every measurement: a series' reservoir shows all it was offered.
          const store = new MetricExemplars(() => new FixedSizeReservoir(picks.length));
          const offered = new Map<string, number>();
          for (const [i, pick] of picks.entries()) {
            // A fresh object per event, as core hands a hand-written metric's update.attributes.
            const attributes = normalizeAttributes({ ...pool[pick % pool.length] });
            const key = JSON.stringify(attributes);
            offered.set(key, (offered.get(key) ?? 0) + 1);
            store.offer(attributes, at(i));
          }
          expect(store.size).toBe(offered.size);
          // Each series' exemplars are found from the exported (recorder-attributed) point.
          for (const [key, count] of offered) {
            const exported = { ...JSON.parse(key), recorder: 'r' };
            const kept = store.collect(exported, 'recorder')?.filter((e) => e !== undefined);
            expect(kept).toHaveLength(count);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('drops the reservoir of a series no collection exported for a whole round, and finds it again when it comes back', () => {
    const store = new MetricExemplars(() => new FixedSizeReservoir(1));
    const live = normalizeAttributes({ k: 'live' });
    const gone = normalizeAttributes({ k: 'gone' });
    store.offer(live, at(1));
    store.offer(gone, at(2));
    // The collection that follows the offers exports only `live`: `gone` gets one round of grace.
    store.collect({ k: 'live' }, undefined);
    store.sweep();
    expect(store.size).toBe(2);
    store.collect({ k: 'live' }, undefined);
    store.sweep();
    expect(store.size).toBe(1);
    // The same attributes object comes back: a new reservoir, reachable from its exported point.
    store.offer(gone, at(3));
    expect(store.size).toBe(2);
    expect(store.collect({ k: 'gone' }, undefined)?.[0]?.value).toBe(3);
  });

  it("keeps the exemplars of 200 and '200' apart, and of NaN and Infinity (typed attributes: two series over OTLP)", () => {
    const store = new MetricExemplars(() => new FixedSizeReservoir(4));
    const values = [200, '200', Number.NaN, Number.POSITIVE_INFINITY, true, 'true'];
    values.forEach((code, i) => {
      store.offer(normalizeAttributes({ code }), at(i));
    });
    expect(store.size).toBe(values.length);
    values.forEach((code, i) => {
      const kept = store
        .collect({ code, recorder: 'r' }, 'recorder')
        ?.filter((e) => e !== undefined);
      expect(kept?.map((e) => e.value)).toEqual([i]);
    });
  });
});
