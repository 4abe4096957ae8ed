// RecorderMirror's reports and collection modes at their edges: malformed points, a shadowed
// recorder attribute and failing snapshots reported in words, once per metric; the change log
// asked for when nothing logs; a collection's end time making live points data points. StrykerJS
// survivors of mirror/ (docs/reliability.md).
import { counter, type Metric } from '@mvx-metrics/core';
import { createTestRecorder } from '@mvx-metrics/core/testing';
import { describe, expect, it, vi } from 'vitest';
import type { OtelBridgeError } from '../errors/otel-bridge-error.js';
import { Reporter } from '../internal/report.js';
import { RecorderMirror } from './recorder-mirror.js';
import type { MirroredMetric } from './types.js';

interface Ev {
  type: 'n';
  key: string;
  value: number;
}

function mirrored(metrics: Metric[], recorderAttribute: string | false = 'recorder') {
  const errors: OtelBridgeError[] = [];
  const recorder = createTestRecorder(metrics, { name: 'r' });
  const reporter = new Reporter((error) => errors.push(error as OtelBridgeError));
  const mirror = new RecorderMirror(recorder, 'ns', recorderAttribute, [1, 0], reporter, 0);
  recorder.onChange((change) => mirror.logChange(change));
  const collect = (endTime?: [number, number]) => {
    const views = new Map<string, MirroredMetric>();
    mirror.forEach(
      (_entry, view) => {
        views.set(view.instrumentName, view);
      },
      recorder.stats().failed,
      undefined,
      endTime,
    );
    return views;
  };
  return { recorder, mirror, collect, errors };
}

const handWritten = (name: string, snapshot: () => unknown): Metric =>
  ({ name, handleEvent: () => true, snapshot }) as unknown as Metric;

describe('RecorderMirror reports', () => {
  it('reports malformed points of a hand-written metric once, in words', () => {
    const bad = handWritten('bad', () => ({
      name: 'bad',
      kind: 'counter',
      points: [
        { attributes: {}, value: Number.NaN },
        { attributes: { a: '1' }, value: 1 },
      ],
    }));
    const { collect, errors } = mirrored([bad]);
    collect();
    collect();
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      [
        'invalid-point',
        'otel-bridge: metric "bad" of recorder "r" reported 1 point(s) that are not { attributes, value } (or histogram) points with finite numbers; they are not exported.',
      ],
    ]);
  });

  it('reports a point attribute under the recorder attribute’s key once per instrument, as attribute-shadowed', () => {
    const own = () =>
      handWritten('own', () => ({
        name: 'own',
        kind: 'counter',
        points: [{ attributes: { recorder: 'mine' }, value: 1 }],
      }));
    const { collect, errors } = mirrored([own()]);
    collect();
    expect(errors.map((e) => e.code)).toEqual(['attribute-shadowed']);
    expect(errors[0]?.message).toContain('metric "ns.own" has points with an attribute "recorder"');
    // with the recorder attribute off nothing is shadowed
    const off = mirrored([own()], false);
    off.collect();
    expect(off.errors).toEqual([]);
  });

  it('reports each failing metric’s snapshot once, naming it', () => {
    const fail = (name: string) =>
      handWritten(name, () => {
        throw new Error(`${name} broke`);
      });
    const { collect, errors } = mirrored([fail('one'), fail('two')]);
    collect();
    collect();
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      [
        'snapshot-failed',
        'otel-bridge: metric "one" of recorder "r" threw from snapshot(); its last exported state is kept: one broke',
      ],
      [
        'snapshot-failed',
        'otel-bridge: metric "two" of recorder "r" threw from snapshot(); its last exported state is kept: two broke',
      ],
    ]);
  });
});

describe('RecorderMirror collection modes', () => {
  it('asks for the change log once a hand-written metric is found while nothing logs; no asker is fine', () => {
    const metric = () =>
      handWritten('hw', () => ({
        name: 'hw',
        kind: 'counter',
        points: [{ attributes: {}, value: 1 }],
      }));
    const { mirror, collect } = mirrored([metric()]);
    mirror.logging = false;
    const startLogging = vi.fn(() => {
      mirror.logging = true;
    });
    mirror.startLogging = startLogging;
    collect();
    collect();
    expect(startLogging).toHaveBeenCalledTimes(1);
    const bare = mirrored([metric()]);
    bare.mirror.logging = false;
    expect(() => bare.collect()).not.toThrow();
    expect(bare.collect().get('ns.hw')?.points).toEqual([
      { attributes: { recorder: 'r' }, value: 1 },
    ]);
  });

  it('with a collection’s end time, a live metric’s points are that collection’s data points (fresh)', () => {
    const hits = counter({
      name: 'hits',
      on: 'n',
      attributes: (e: Ev) => ({ key: e.key }),
      value: (e: Ev) => e.value,
    });
    const { recorder, collect } = mirrored([hits]);
    recorder.registerEvent({ type: 'n', key: 'a', value: 2 });
    const timed = collect([9, 5]).get('ns.hits');
    expect(timed?.fresh).toBe(true);
    expect(timed?.points).toEqual([
      { startTime: [1, 0], endTime: [9, 5], attributes: { key: 'a', recorder: 'r' }, value: 2 },
    ]);
    const plain = collect().get('ns.hits');
    expect(plain?.fresh).toBe(false);
    expect(plain?.points).toEqual([{ attributes: { key: 'a', recorder: 'r' }, value: 2 }]);
  });
});

describe('RecorderMirror re-reads', () => {
  it('re-reads every metric after a new failure: a metric that threw mid-update changed unseen', () => {
    let total = 0;
    const flaky: Metric = {
      name: 'flaky',
      handleEvent(event: object, update?: { attributes: unknown; value: unknown }) {
        const value = (event as Ev).value;
        total += Math.abs(value);
        if (value < 0) throw new Error('half done');
        if (update !== undefined) {
          update.attributes = {};
          update.value = value;
        }
        return true;
      },
      snapshot: () => ({
        name: 'flaky',
        kind: 'counter',
        points: [{ attributes: {}, value: total }],
      }),
    } as unknown as Metric;
    const { recorder, collect } = mirrored([flaky]);
    recorder.registerEvent({ type: 'n', key: 'a', value: 2 });
    collect();
    recorder.registerEvent({ type: 'n', key: 'a', value: 3 });
    recorder.registerEvent({ type: 'n', key: 'a', value: -4 });
    expect(recorder.stats().failed).toBe(1);
    expect(collect().get('ns.flaky')?.points[0]?.value).toBe(9);
  });

  it('visits only what skip leaves', () => {
    const hits = counter({ name: 'hits', on: 'n', value: (e: Ev) => e.value });
    const { mirror } = mirrored([hits]);
    const visited: string[] = [];
    mirror.forEach(
      (_entry, view) => {
        visited.push(view.instrumentName);
      },
      0,
      () => true,
    );
    expect(visited).toEqual([]);
  });

  it('while nothing logs (no hook, nobody to start one), reads a hand-written metric in full at every collection', () => {
    let value = 1;
    const metric = handWritten('hw', () => ({
      name: 'hw',
      kind: 'gauge',
      points: [{ attributes: {}, value }],
    }));
    const recorder = createTestRecorder([metric], { name: 'r' });
    const mirror = new RecorderMirror(recorder, 'ns', false, [1, 0], new Reporter(() => {}), 0);
    mirror.logging = false;
    const read = () => {
      let out: unknown;
      mirror.forEach((_entry, view) => {
        out = view.points[0]?.value;
      });
      return out;
    };
    expect(read()).toBe(1);
    value = 2;
    expect(read()).toBe(2);
  });

  it('a first snapshot that failed is read again at the next collection, without any change; a failed read refreshes nothing', () => {
    let failing = true;
    const metric = handWritten('late', () => {
      if (failing) throw new Error('not yet');
      return { name: 'late', kind: 'counter', points: [{ attributes: {}, value: 4 }] };
    });
    const { mirror, collect } = mirrored([metric]);
    expect(collect().has('ns.late')).toBe(false);
    failing = false;
    expect(collect().get('ns.late')?.points[0]?.value).toBe(4);
    // a re-read that fails keeps the view, not refreshed
    failing = true;
    mirror.markAllStale();
    const refreshed: boolean[] = [];
    mirror.forEach((_entry, _view, fresh) => {
      refreshed.push(fresh);
    });
    expect(refreshed).toEqual([false]);
  });

  it('a live point’s attribute named "undefined" shadows nothing with the recorder attribute off', () => {
    const hits = counter({
      name: 'hits',
      on: 'n',
      attributes: (e: Ev) => ({ undefined: e.key }),
      value: (e: Ev) => e.value,
    });
    const { recorder, collect, errors } = mirrored([hits], false);
    recorder.registerEvent({ type: 'n', key: 'a', value: 1 });
    expect(collect().get('ns.hits')?.overlapping).toBe(false);
    expect(errors).toEqual([]);
  });
});

describe('RecorderMirror hook', () => {
  it('follows the recorder’s order without asking it for its metrics: once for a new array, not per change', () => {
    const metric = (name: string) =>
      ({
        name,
        handleEvent(_event: object, update?: { attributes: unknown; value: unknown }) {
          if (update !== undefined) {
            update.attributes = {};
            update.value = 1;
          }
          return true;
        },
        snapshot: () => ({ name, kind: 'counter', points: [{ attributes: {}, value: 0 }] }),
      }) as unknown as Metric;
    const { recorder, collect } = mirrored([metric('m1'), metric('m2'), metric('m3')]);
    collect();
    const getMetrics = vi.spyOn(recorder, 'getMetrics');
    for (let i = 0; i < 10; i++) recorder.registerEvent({ type: 'n', key: 'a', value: 1 });
    expect(getMetrics.mock.calls.length).toBeLessThanOrEqual(1);
  });
});
