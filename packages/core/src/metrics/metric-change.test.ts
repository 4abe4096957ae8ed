import { describe, expect, it } from 'vitest';
import { MetricEvent } from '../events/index.js';
import type { MetricChange } from '../recorder/index.js';
import type { MetricSnapshot } from '../snapshots/index.js';
import { createTestRecorder } from '../testing/index.js';
import { counter, describeMetric, gauge, histogram, upDownCounter } from './index.js';
import type { Metric, MetricUpdate } from './types.js';

class Saved extends MetricEvent {}

function changesOf(metrics: Metric[], events: object[]): Array<[unknown, unknown]> {
  const recorder = createTestRecorder(metrics);
  const seen: Array<[unknown, unknown]> = [];
  recorder.onChange((change: MetricChange) => seen.push([change.value, change.attributes]));
  for (const event of events) recorder.registerEvent(event);
  return seen;
}

describe('the post-change hook carries the change itself', () => {
  it('gives the value applied and the attributes of the point it changed', () => {
    const latency = histogram({
      name: 'latency',
      on: 'req',
      value: (e: { ms: number; route: string }) => e.ms,
      attributes: (e) => ({ route: e.route }),
    });
    expect(
      changesOf(
        [latency],
        [
          { type: 'req', ms: 12, route: '/a' },
          { type: 'req', ms: 7, route: '/b' },
        ],
      ),
    ).toEqual([
      [12, { route: '/a' }],
      [7, { route: '/b' }],
    ]);
  });

  it('fires no change for an ignored event or a refused value', () => {
    const level = gauge({
      name: 'level',
      on: 'level',
      value: (e: { v: unknown }) => e.v as number,
    });
    expect(
      changesOf(
        [level],
        [
          { type: 'level', v: 3 },
          { type: 'level', v: 'oops' },
          { type: 'other', v: 9 },
        ],
      ),
    ).toEqual([[3, {}]]);
  });

  it('gives the overflow point attributes once the cardinality limit is reached', () => {
    const hits = counter({
      name: 'hits',
      on: 'hit',
      attributes: (e: { k: string }) => ({ k: e.k }),
      cardinalityLimit: 2,
    });
    expect(
      changesOf(
        [hits],
        [
          { type: 'hit', k: 'a' },
          { type: 'hit', k: 'b' },
        ],
      ),
    ).toEqual([
      [1, { k: 'a' }],
      [1, { 'otel.metric.overflow': true }],
    ]);
  });

  it('leaves value and attributes undefined for a hand-written metric that does not fill them in', () => {
    const plain: Metric = {
      name: 'plain',
      handleEvent: (event) => event instanceof Saved,
      snapshot: () => ({ name: 'plain', kind: 'counter', points: [] }),
    };
    expect(changesOf([plain], [new Saved()])).toEqual([[undefined, undefined]]);
  });

  it('carries what a hand-written metric fills in', () => {
    let total = 0;
    const filled: Metric = {
      name: 'filled',
      handleEvent(event: object, update?: MetricUpdate) {
        if (!(event instanceof Saved)) return false;
        total += 2;
        if (update !== undefined) {
          update.value = 2;
          update.attributes = { how: 'by hand' };
        }
        return true;
      },
      snapshot: () => ({
        name: 'filled',
        kind: 'counter',
        points: [{ attributes: {}, value: total }],
      }),
    };
    expect(changesOf([filled], [new Saved()])).toEqual([[2, { how: 'by hand' }]]);
  });
});

describe('metric descriptors', () => {
  it('declare name, kind, unit, description and selector of the built-ins without a snapshot', () => {
    const byClass = counter({ name: 'c', on: Saved, unit: '1', description: 'saves' });
    expect(byClass.descriptor).toEqual({
      name: 'c',
      kind: 'counter',
      unit: '1',
      description: 'saves',
      selector: Saved,
    });
    expect(upDownCounter({ name: 'u', on: 'x' }).descriptor).toEqual({
      name: 'u',
      kind: 'upDownCounter',
      selector: 'x',
    });
    expect(gauge({ name: 'g', on: 'x', value: () => 1 }).descriptor?.kind).toBe('gauge');
    expect(
      histogram({ name: 'h', on: 'x', unit: 's', value: () => 1, buckets: [1, 2] }).descriptor,
    ).toEqual({ name: 'h', kind: 'histogram', unit: 's', selector: 'x', boundaries: [1, 2] });
  });

  it('are frozen: a consumer cannot change what the metric declares', () => {
    const h = histogram({ name: 'h', on: 'x', value: () => 1, buckets: [1, 2] });
    expect(Object.isFrozen(h.descriptor)).toBe(true);
    expect(Object.isFrozen(h.descriptor?.boundaries)).toBe(true);
  });

  it('are derived from one snapshot for a hand-written metric that declares none', () => {
    const snapshot = (): MetricSnapshot => ({
      name: 'sizes',
      kind: 'histogram',
      unit: 'By',
      description: 'document sizes',
      points: [
        {
          attributes: {},
          count: 0,
          sum: 0,
          min: 0,
          max: 0,
          boundaries: [10, 100],
          bucketCounts: [0, 0, 0],
        },
      ],
    });
    const handWritten: Metric = { name: 'sizes', handleEvent: () => false, snapshot };
    expect(describeMetric(handWritten)).toEqual({
      name: 'sizes',
      kind: 'histogram',
      unit: 'By',
      description: 'document sizes',
      boundaries: [10, 100],
    });
    const declared: Metric = {
      name: 'sizes',
      descriptor: { name: 'sizes', kind: 'gauge', selector: Saved },
      handleEvent: () => false,
      snapshot,
    };
    expect(describeMetric(declared)).toBe(declared.descriptor);
  });
});
