// The change log of a hand-written metric across re-reads: changes name their point by the very
// attributes object the snapshot shows (as core's points do), the snapshot's order changes as the
// values do, and new points, changes without attributes and failed snapshots force re-reads.
// Whatever happens, each collection's view equals a conversion from scratch, with the recorder
// attribute on or off; and a failing or odd metric is reported in words. StrykerJS survivors of
// mirror/ (docs/reliability.md).
import { counter, type Metric, type MetricSnapshot, type MetricUpdate } from '@mvx-metrics/core';
import { createTestRecorder } from '@mvx-metrics/core/testing';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
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
  /** Fill in the update without attributes (forces a re-read). */
  anonymous?: boolean;
}

/**
 * A counter per key whose change names its point by the same attributes object the snapshot
 * shows, the points sorted by value (largest first), so a re-read may move every point.
 */
function sortedCounter(name = 'hw', failing?: () => boolean): Metric {
  const points = new Map<string, { attributes: { key: string }; value: number }>();
  return {
    name,
    handleEvent(event: object, update?: MetricUpdate) {
      const e = event as Ev;
      let point = points.get(e.key);
      if (point === undefined) {
        point = { attributes: { key: e.key }, value: 0 };
        points.set(e.key, point);
      }
      point.value += e.value;
      if (update !== undefined) {
        update.attributes = e.anonymous === true ? undefined : point.attributes;
        update.value = e.value;
      }
      return true;
    },
    snapshot(): MetricSnapshot {
      if (failing?.() === true) throw new Error('snapshot refused');
      return {
        name,
        kind: 'counter',
        points: [...points.values()]
          .sort((a, b) => b.value - a.value || (a.attributes.key < b.attributes.key ? -1 : 1))
          .map(({ attributes, value }) => ({ attributes, value })),
      };
    },
  };
}

/**
 * A built-in counter whose snapshot() is overridden (so it is not read live but logged): its
 * changes name their point by core's own attributes object, the same one every time, and its
 * snapshot sorts the points by value (largest first), so a re-read may move every point.
 */
function sortedBuiltIn(): Metric {
  const inner = counter({
    name: 'hw',
    on: 'n',
    // key e is the series of a with one attribute more: same values, another attribute set
    attributes: (e: Ev) => (e.key === 'e' ? { key: 'a', more: 'e' } : { key: e.key }),
    value: (e: Ev) => e.value,
  });
  return Object.create(inner, {
    snapshot: {
      writable: true,
      configurable: true,
      value(): MetricSnapshot {
        const snapshot = inner.snapshot();
        const points = [...snapshot.points] as Array<{ attributes: object; value: number }>;
        const text = (point: { attributes: object }) => JSON.stringify(point.attributes);
        points.sort((a, b) => b.value - a.value || (text(a) < text(b) ? -1 : 1));
        return { ...snapshot, points: points as MetricSnapshot['points'] };
      },
    },
  }) as Metric;
}

function mirrored(metrics: Metric[], recorderAttribute: string | false) {
  const errors: OtelBridgeError[] = [];
  const recorder = createTestRecorder(metrics, { name: 'r' });
  const reporter = new Reporter((error) => errors.push(error as OtelBridgeError));
  const mirror = new RecorderMirror(recorder, 'ns', recorderAttribute, [1, 0], reporter, 0);
  recorder.onChange((change) => mirror.logChange(change));
  const collect = () => {
    const views = new Map<string, MirroredMetric>();
    mirror.forEach((_entry, view) => {
      views.set(view.instrumentName, view);
    }, recorder.stats().failed);
    return views;
  };
  return { recorder, mirror, collect, errors };
}

/** A view's points as attribute key → value (the order of a view's points is no promise). */
const byKey = (view: MirroredMetric | undefined) =>
  Object.fromEntries(
    (view?.points ?? []).map((point) => [JSON.stringify(point.attributes), point.value]),
  );

const fromScratch = (metric: Metric, mirror: RecorderMirror) =>
  convertSnapshot(metric.snapshot(), {
    namespace: 'ns',
    name: metric.name,
    adapter: adapterFor({ name: metric.name, kind: 'counter' }),
    unit: '',
    description: '',
    extraAttributes: mirror.extraAttributes,
    owner: mirror.owner,
    startTime: mirror.startTime,
  }).metric;

describe('the change log across re-reads', () => {
  it('every collection equals a conversion from scratch, whatever moves the points (property)', () => {
    const step = fc.oneof(
      fc.record({
        key: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
        value: fc.integer({ min: 1, max: 9 }),
        anonymous: fc.constantFrom(false, false, false, false, true),
      }),
      fc.constant('collect' as const),
    );
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 40 }),
        fc.constantFrom<string | false>('recorder', false),
        fc.boolean(),
        (steps, attribute, builtIn) => {
          const metric = builtIn ? sortedBuiltIn() : sortedCounter();
          const { recorder, mirror, collect } = mirrored([metric], attribute);
          collect();
          for (const s of [...steps, 'collect' as const]) {
            if (s === 'collect') {
              expect(byKey(collect().get('ns.hw'))).toEqual(byKey(fromScratch(metric, mirror)));
            } else {
              recorder.registerEvent({ type: 'n', ...s });
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('applies changes of known points without a snapshot, after the points moved in a re-read', () => {
    for (const [attribute, metric] of [
      ['recorder', sortedCounter()],
      [false, sortedCounter()],
      ['recorder', sortedBuiltIn()],
      [false, sortedBuiltIn()],
    ] as const) {
      const { recorder, mirror, collect } = mirrored([metric], attribute);
      recorder.registerEvent({ type: 'n', key: 'a', value: 1 });
      recorder.registerEvent({ type: 'n', key: 'b', value: 2 });
      collect(); // first sight: read, b before a
      recorder.registerEvent({ type: 'n', key: 'a', value: 5 });
      collect(); // applied: a's point still second in the view
      recorder.registerEvent({ type: 'n', key: 'c', value: 1 });
      collect(); // a point not seen: re-read, a now first
      const snapshot = vi.spyOn(metric, 'snapshot');
      recorder.registerEvent({ type: 'n', key: 'a', value: 1 });
      recorder.registerEvent({ type: 'n', key: 'b', value: 1 });
      const view = collect().get('ns.hw');
      expect(snapshot).not.toHaveBeenCalled();
      snapshot.mockRestore();
      expect(byKey(view)).toEqual(byKey(fromScratch(metric, mirror)));
      const own = attribute === false ? {} : { recorder: 'r' };
      expect(byKey(view)).toEqual({
        [JSON.stringify({ key: 'a', ...own })]: 7,
        [JSON.stringify({ key: 'b', ...own })]: 3,
        [JSON.stringify({ key: 'c', ...own })]: 1,
      });
    }
  });

  it('re-reads after a change without attributes, and from then on applies changes again', () => {
    const metric = sortedCounter();
    const { recorder, collect } = mirrored([metric], 'recorder');
    recorder.registerEvent({ type: 'n', key: 'a', value: 1 });
    collect();
    const snapshot = vi.spyOn(metric, 'snapshot');
    recorder.registerEvent({ type: 'n', key: 'a', value: 2, anonymous: true });
    expect(byKey(collect().get('ns.hw'))).toEqual({
      [JSON.stringify({ key: 'a', recorder: 'r' })]: 3,
    });
    expect(snapshot).toHaveBeenCalledTimes(1);
    recorder.registerEvent({ type: 'n', key: 'a', value: 4 });
    expect(byKey(collect().get('ns.hw'))).toEqual({
      [JSON.stringify({ key: 'a', recorder: 'r' })]: 7,
    });
    expect(snapshot).toHaveBeenCalledTimes(1);
  });

  it('keeps the last view when a re-read fails, reports it once in words, and reads again at the next change', () => {
    let failing = false;
    const metric = sortedCounter('hw', () => failing);
    const { recorder, collect, errors } = mirrored([metric], 'recorder');
    recorder.registerEvent({ type: 'n', key: 'a', value: 1 });
    collect();
    failing = true;
    recorder.registerEvent({ type: 'n', key: 'b', value: 2 }); // a point not seen: re-read
    expect(byKey(collect().get('ns.hw'))).toEqual({
      [JSON.stringify({ key: 'a', recorder: 'r' })]: 1,
    });
    expect(byKey(collect().get('ns.hw'))).toEqual({
      [JSON.stringify({ key: 'a', recorder: 'r' })]: 1,
    });
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      [
        'snapshot-failed',
        'otel-bridge: metric "hw" of recorder "r" threw from snapshot(); its last exported state is kept: snapshot refused',
      ],
    ]);
    expect(errors[0]?.cause).toBeInstanceOf(Error);
    failing = false;
    recorder.registerEvent({ type: 'n', key: 'a', value: 1 });
    expect(byKey(collect().get('ns.hw'))).toEqual({
      [JSON.stringify({ key: 'b', recorder: 'r' })]: 2,
      [JSON.stringify({ key: 'a', recorder: 'r' })]: 2,
    });
  });

  it('after a failed re-read keeps the view until the next change: no snapshot retried without one', () => {
    let failing = false;
    const metric = sortedCounter('hw', () => failing);
    const { recorder, collect } = mirrored([metric], false);
    recorder.registerEvent({ type: 'n', key: 'a', value: 1 });
    collect();
    failing = true;
    recorder.registerEvent({ type: 'n', key: 'b', value: 1 }); // a point not seen: re-read, fails
    collect();
    failing = false;
    const snapshot = vi.spyOn(metric, 'snapshot');
    expect(byKey(collect().get('ns.hw'))).toEqual({ [JSON.stringify({ key: 'a' })]: 1 });
    expect(snapshot).not.toHaveBeenCalled();
    recorder.registerEvent({ type: 'n', key: 'a', value: 1 });
    expect(byKey(collect().get('ns.hw'))).toEqual({
      [JSON.stringify({ key: 'a' })]: 2,
      [JSON.stringify({ key: 'b' })]: 1,
    });
    expect(snapshot).toHaveBeenCalledTimes(1);
  });

  it('a known point whose old place now holds a series with one attribute more is found by its attributes', () => {
    const metric = sortedBuiltIn();
    const { recorder, mirror, collect } = mirrored([metric], false);
    recorder.registerEvent({ type: 'n', key: 'a', value: 1 });
    recorder.registerEvent({ type: 'n', key: 'e', value: 5 }); // { key: 'a', more: 'e' }
    collect(); // [e 5, a 1]
    recorder.registerEvent({ type: 'n', key: 'a', value: 1 });
    collect(); // applied: a known at its place, 1
    recorder.registerEvent({ type: 'n', key: 'd', value: 10 });
    collect(); // a point not seen: re-read, [d 10, e 5, a 2]: e now where a was
    recorder.registerEvent({ type: 'n', key: 'a', value: 1 });
    expect(byKey(collect().get('ns.hw'))).toEqual({
      [JSON.stringify({ key: 'd' })]: 10,
      [JSON.stringify({ key: 'a', more: 'e' })]: 5,
      [JSON.stringify({ key: 'a' })]: 3,
    });
    expect(byKey(collect().get('ns.hw'))).toEqual(byKey(fromScratch(metric, mirror)));
  });
});
