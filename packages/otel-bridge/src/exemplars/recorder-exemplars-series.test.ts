// What a series is to the exemplar store, and that its caches never answer for a series that is
// gone or that came back: key order does not make two series, an absent (undefined) value is no
// attribute, a swept series' cached attributes object finds the new reservoir, a series created
// after a collection found none for it is found at the next, and a run of offers to one metric
// keeps every offer.
import type { Metric, MetricChange } from '@mvx-metrics/core';
import { describe, expect, it } from 'vitest';
import { MetricExemplars, RecorderExemplars } from './recorder-exemplars.js';
import type { ExemplarReservoir } from './reservoir.js';
import type { BridgeExemplar } from './types.js';

const at = (value: number): BridgeExemplar => ({ value, time: value, traceId: '', spanId: '' });

/** A reservoir that keeps every offer, in order. */
const keepAll = (): ExemplarReservoir => {
  const kept: BridgeExemplar[] = [];
  return {
    offer: (exemplar) => {
      kept.push(exemplar);
    },
    collect: () => (kept.length === 0 ? undefined : [...kept]),
  };
};
const values = (list: ReturnType<ExemplarReservoir['collect']>) => list?.map((e) => e?.value);

describe('MetricExemplars: series and caches', () => {
  it('attributes in another key order are the same series', () => {
    const store = new MetricExemplars(keepAll);
    store.offer({ a: 1, b: 'x' }, at(1));
    store.offer({ b: 'x', a: 1 }, at(2));
    expect(store.size).toBe(1);
    expect(values(store.collect({ b: 'x', a: 1 }, undefined))).toEqual([1, 2]);
  });

  it('an attribute whose value is undefined is no attribute', () => {
    const store = new MetricExemplars(keepAll);
    store.offer({ a: 1, gone: undefined } as object, at(1));
    expect(values(store.collect({ a: 1 }, undefined))).toEqual([1]);
    expect(values(store.collect({ a: 1, recorder: 'r' }, 'recorder'))).toEqual([1]);
  });

  it('a swept series: its cached exported attributes find the new reservoir, never the old one', () => {
    const store = new MetricExemplars(keepAll);
    const exported = { route: '/a' };
    store.offer({ route: '/a' }, at(1));
    expect(values(store.collect(exported, undefined))).toEqual([1]);
    store.sweep();
    store.sweep(); // not exported by this collection: swept
    expect(store.size).toBe(0);
    store.offer({ route: '/a' }, at(2));
    expect(values(store.collect(exported, undefined))).toEqual([2]);
  });

  it('a series created after a collection found none for it is found at the next collection', () => {
    const store = new MetricExemplars(keepAll);
    const later = { route: '/b' };
    store.offer({ route: '/a' }, at(1));
    expect(store.collect(later, undefined)).toBeUndefined();
    store.sweep();
    store.sweep(); // '/a' was not exported: swept
    store.offer({ route: '/b' }, at(2));
    expect(values(store.collect(later, undefined))).toEqual([2]);
  });
});

describe('RecorderExemplars', () => {
  it('keeps every offer of a run to one metric, and each metric its own', () => {
    const metric = { name: 'm' } as Metric;
    const other = { name: 'o' } as Metric;
    const store = new RecorderExemplars(() => keepAll);
    const change = (m: Metric) => ({ metric: m, attributes: { k: 1 } }) as unknown as MetricChange;
    store.offer(change(metric), at(1));
    store.offer(change(metric), at(2));
    store.offer(change(other), at(3));
    store.offer(change(metric), at(4));
    expect(values(store.forMetric(metric)?.collect({ k: 1 }, undefined))).toEqual([1, 2, 4]);
    expect(values(store.forMetric(other)?.collect({ k: 1 }, undefined))).toEqual([3]);
  });

  it('a metric without a reservoir keeps nothing', () => {
    const store = new RecorderExemplars(() => undefined);
    const metric = { name: 'm' } as Metric;
    store.offer({ metric, attributes: {} } as unknown as MetricChange, at(1));
    expect(store.forMetric(metric)).toBeUndefined();
  });
});
