import {
  counter,
  exponentialHistogram,
  type Metric,
  type MetricSnapshot,
  type MetricUpdate,
} from '@mvx-metrics/core';
import { createTestRecorder } from '@mvx-metrics/core/testing';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { metricOfEveryKind } from '../../../../test/support/kind-fixtures.js';
import type { OtelBridgeError } from '../errors/otel-bridge-error.js';
import { Reporter } from '../internal/report.js';
import { adapterFor } from '../kinds/index.js';
import { convertSnapshot } from './convert.js';
import { RecorderMirror } from './recorder-mirror.js';
import type { MirroredMetric } from './types.js';

interface Ev {
  type: 'n';
  key: string;
  value: number;
}

/** A recorder (sync) with a mirror fed by its hook, as an attachment wires them. */
function mirrored(metrics: Metric[]) {
  const errors: OtelBridgeError[] = [];
  const recorder = createTestRecorder(metrics, { name: 'r' });
  const reporter = new Reporter((error) => errors.push(error as OtelBridgeError));
  const mirror = new RecorderMirror(recorder, 'ns', 'recorder', [1, 0], reporter, 0);
  recorder.onChange((change) => mirror.logChange(change));
  /** One collection: every metric's view, and which ones were refreshed. */
  const collect = () => {
    const views = new Map<string, MirroredMetric>();
    mirror.forEach((_entry, view) => {
      views.set(view.instrumentName, view);
    }, recorder.stats().failed);
    return views;
  };
  /** What converting every snapshot from scratch gives (the pre-incremental mirror). */
  const fromScratch = () => {
    const views = new Map<string, MirroredMetric>();
    for (const metric of recorder.getMetrics()) {
      const snapshot = metric.snapshot();
      const view = convertSnapshot(snapshot, {
        namespace: 'ns',
        name: metric.name,
        adapter: adapterFor({ name: metric.name, kind: snapshot.kind }),
        unit: snapshot.unit ?? '',
        description: snapshot.description ?? '',
        extraAttributes: mirror.extraAttributes,
        owner: mirror.owner,
        startTime: mirror.startTime,
      }).metric;
      views.set(view.instrumentName, view);
    }
    return views;
  };
  return { recorder, mirror, collect, fromScratch, errors };
}

const points = (views: Map<string, MirroredMetric>) =>
  [...views].map(([name, view]) => [name, view.points]);

/**
 * Two metrics of every kind in core's registry: one fed the event's value as it is (a kind that
 * refuses some values drops them), one fed values the kind accepts.
 */
const builtIns = () => [
  ...metricOfEveryKind((kind) => ({
    name: `${kind}.raw`,
    on: 'n',
    attributes: (e: Ev) => ({ key: e.key }),
    value: (e: Ev) => e.value,
    buckets: [-1, 0, 0.5, 10],
  })),
  ...metricOfEveryKind((kind, fixture) => ({
    name: `${kind}.accepted`,
    on: 'n',
    attributes: (e: Ev) => ({ key: e.key }),
    value: (e: Ev) => fixture.accepted(e.value),
    buckets: [0.5, 10, 1000],
  })),
  // an exponential histogram small enough to rescale often
  exponentialHistogram({
    name: 'e',
    on: 'n',
    attributes: (e: Ev) => ({ key: e.key }),
    value: (e: Ev) => e.value,
    maxSize: 8,
  }),
];

describe('RecorderMirror', () => {
  it('re-converts only the changed point of a 2 000-point metric, without a snapshot', () => {
    // The change log serves metrics that are not read live: a hand-written one (here wrapping a
    // built-in counter, so it fills in the MetricUpdate and reports the same snapshot).
    const keys = Array.from({ length: 2000 }, (_, i) => `k${i}`);
    const inner = counter({
      name: 'hits',
      on: 'n',
      attributes: (e: Ev) => ({ key: e.key }),
      initial: keys.map((key) => ({ key })),
      cardinalityLimit: 2001,
    });
    const hits: Metric = {
      name: 'hits',
      descriptor: inner.descriptor,
      handleEvent: (event: object, update?: MetricUpdate) => inner.handleEvent(event, update),
      snapshot: () => inner.snapshot(),
    } as Metric;
    const { recorder, collect, fromScratch } = mirrored([hits]);
    const before = collect().get('ns.hits')?.points.slice() ?? [];
    expect(before).toHaveLength(2000);
    const snapshot = vi.spyOn(hits, 'snapshot');
    recorder.registerEvent({ type: 'n', key: 'k7', value: 1 });
    const after = collect().get('ns.hits')?.points ?? [];
    expect(snapshot).not.toHaveBeenCalled();
    const changed = after.filter((point, i) => point !== before[i]);
    expect(changed).toEqual([{ attributes: { key: 'k7', recorder: 'r' }, value: 1 }]);
    expect(points(collect())).toEqual(points(fromScratch()));
  });

  it('reads a 2 000-point built-in metric live: no snapshot, no point kept between collections', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `k${i}`);
    const hits = counter({
      name: 'hits',
      on: 'n',
      attributes: (e: Ev) => ({ key: e.key }),
      initial: keys.map((key) => ({ key })),
      cardinalityLimit: 2001,
    });
    const { recorder, mirror, collect, fromScratch } = mirrored([hits]);
    const before = collect().get('ns.hits')?.points.slice() ?? [];
    expect(before).toHaveLength(2000);
    // Every built-in metric's snapshot() (the prototype's), so the metric is still read live.
    const snapshot = vi.spyOn(Object.getPrototypeOf(hits) as Metric, 'snapshot');
    try {
      recorder.registerEvent({ type: 'n', key: 'k7', value: 1 });
      const after = collect().get('ns.hits')?.points ?? [];
      expect(snapshot).not.toHaveBeenCalled();
      // Only the changed point's value differs; the exported attributes are the same objects.
      const changed = after.filter((point, i) => point.value !== before[i]?.value);
      expect(changed).toEqual([{ attributes: { key: 'k7', recorder: 'r' }, value: 1 }]);
      expect(after.every((point, i) => point.attributes === before[i]?.attributes)).toBe(true);
      // Nothing of the view is kept: the entry holds no points between collections.
      expect(mirror.entry(hits).view).toBeUndefined();
    } finally {
      snapshot.mockRestore();
    }
    expect(points(collect())).toEqual(points(fromScratch()));
  });

  it('re-reads the snapshot for a point it has not seen', () => {
    const { recorder, collect, fromScratch } = mirrored(builtIns());
    recorder.registerEvent({ type: 'n', key: 'a', value: 2 });
    collect();
    recorder.registerEvent({ type: 'n', key: 'b', value: 3 });
    expect(points(collect())).toEqual(points(fromScratch()));
  });

  it('matches a full conversion at every collection, for any events (floats included)', () => {
    const event = fc.record({
      type: fc.constant('n' as const),
      key: fc.constantFrom('a', 'b', 'c'),
      value: fc.oneof(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.integer({ min: -3, max: 12 }),
      ),
    });
    const step = fc.oneof(event, fc.constant('collect' as const));
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const { recorder, collect, fromScratch } = mirrored(builtIns());
        collect();
        for (const s of steps) {
          if (s === 'collect') expect(points(collect())).toEqual(points(fromScratch()));
          else recorder.registerEvent(s);
        }
        expect(points(collect())).toEqual(points(fromScratch()));
      }),
      { numRuns: 200 },
    );
  });

  it('reads every kind of the registry live: equal to core snapshots at each collection, never sharing state with core', () => {
    const event = fc.record({
      type: fc.constant('n' as const),
      key: fc.constantFrom('a', 'b', 'c', 'constructor', '__proto__', 'recorder'),
      value: fc.oneof(
        fc.double({ min: -1e300, max: 1e300, noNaN: true }),
        fc.integer({ min: -3, max: 12 }),
        fc.constantFrom(0, -0, 5e-324, Number.MAX_VALUE),
      ),
    });
    const step = fc.oneof(event, fc.constant('collect' as const));
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const { recorder, mirror, collect, fromScratch } = mirrored(builtIns());
        // What each collection exported, and a deep copy taken right then.
        const taken: Array<[ReturnType<typeof points>, ReturnType<typeof points>]> = [];
        const take = () => {
          const now = points(collect());
          expect(now).toEqual(points(fromScratch()));
          taken.push([now, structuredClone(now)]);
        };
        take();
        for (const s of steps) {
          if (s === 'collect') take();
          else recorder.registerEvent(s);
        }
        take();
        // Later events never changed what an earlier collection exported (no array of core's).
        for (const [exported, copy] of taken) expect(exported).toEqual(copy);
        // Every built-in is read live: the mirror keeps no view of any of them.
        for (const metric of recorder.getMetrics()) {
          expect(mirror.entry(metric).live).toBe(true);
          expect(mirror.entry(metric).view).toBeUndefined();
        }
      }),
      { numRuns: 150 },
    );
  });

  it('stays exact for hand-written metrics that fill in the update, or do not', () => {
    // fills in the update with a fresh attributes object each time, snapshots fresh objects too
    let total = 0;
    const fresh: Metric = {
      name: 'fresh',
      handleEvent(event: object, update?: MetricUpdate) {
        const value = (event as Ev).value;
        total += value;
        if (update !== undefined) {
          update.attributes = { k: 'v' };
          update.value = value;
        }
        return true;
      },
      snapshot: (): MetricSnapshot => ({
        name: 'fresh',
        kind: 'counter',
        points: [{ attributes: { k: 'v' }, value: total }],
      }),
    };
    let last = 0;
    const silent: Metric = {
      name: 'silent',
      handleEvent(event: object) {
        last = (event as Ev).value;
        return true;
      },
      snapshot: (): MetricSnapshot => ({
        name: 'silent',
        kind: 'gauge',
        points: [{ attributes: {}, value: last }],
      }),
    };
    const { recorder, collect, fromScratch } = mirrored([fresh, silent]);
    for (const value of [1, 2, 5]) {
      recorder.registerEvent({ type: 'n', key: 'a', value });
      expect(points(collect())).toEqual(points(fromScratch()));
    }
    expect(collect().get('ns.fresh')?.points[0]?.value).toBe(8);
    expect(collect().get('ns.silent')?.points[0]?.value).toBe(5);
  });

  it('re-reads a kind without an adapter at every change, and reports the kind once', () => {
    let value = 0;
    const ratio: Metric = {
      name: 'ratio',
      handleEvent(event: object, update?: MetricUpdate) {
        value = (event as Ev).value / 10;
        if (update !== undefined) {
          update.attributes = {};
          update.value = (event as Ev).value;
        }
        return true;
      },
      snapshot: () => ({ name: 'ratio', kind: 'ratio', points: [{ attributes: {}, value }] }),
    };
    const { recorder, collect, errors } = mirrored([ratio]);
    for (const v of [3, 7]) {
      recorder.registerEvent({ type: 'n', key: 'a', value: v });
      expect(collect().get('ns.ratio')?.points[0]?.value).toBe(v / 10);
    }
    expect(errors.map((e) => e.code)).toEqual(['unknown-kind']);
  });
});
