import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsError } from '../errors/index.js';
import { counter, gauge, histogram } from '../metrics/index.js';
import { createTestRecorder, detectKeptChanges } from '../testing/index.js';
import { copyChange, type MetricChange, MetricsRecorder } from './index.js';

// The repository's vitest setup turns detection on for every test; each test here says what it needs.
afterEach(() => {
  detectKeptChanges(true);
});

interface Hit {
  route: string;
  size: number;
}
const metrics = () => [
  counter({ name: 'hits', on: 'hit', attributes: (e: Hit) => ({ route: e.route }) }),
  gauge({ name: 'size', on: 'hit', value: (e: Hit) => e.size }),
  histogram({ name: 'took', on: 'hit', value: (e: Hit) => e.size / 10 }),
];

describe('the change record', () => {
  it('in test mode, a change a transient listener kept (not a copy) throws kept-change when read, naming the fix', () => {
    detectKeptChanges(true);
    const recorder = createTestRecorder(metrics());
    const kept: MetricChange[] = [];
    recorder.onChange(
      (change) => {
        // Valid during the call.
        expect(change.metric.name).toMatch(/hits|size|took/);
        kept.push(change);
      },
      { transient: true },
    );
    recorder.registerEvent({ type: 'hit', route: '/a', size: 3 });
    expect(kept).toHaveLength(3);
    for (const change of kept) {
      for (const read of [
        () => change.value,
        () => change.attributes,
        () => change.metric,
        () => change.event,
        () => change.context,
        () => change.recorder,
      ]) {
        let thrown: unknown;
        try {
          read();
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(MetricsError);
        expect((thrown as MetricsError).code).toBe('kept-change');
        expect((thrown as Error).message).toContain('copyChange(change)');
      }
    }
  });

  it('outside test mode, with transient listeners only, one record is reused: a kept change shows the latest change, a copy its own', () => {
    expect(detectKeptChanges(false)).toBe(true);
    const recorder = createTestRecorder(metrics());
    const kept: MetricChange[] = [];
    const copies: MetricChange[] = [];
    recorder.onChange(
      (change) => {
        kept.push(change);
        copies.push(copyChange(change));
      },
      { transient: true },
    );
    recorder.registerEvent({ type: 'hit', route: '/a', size: 3 });
    recorder.registerEvent({ type: 'hit', route: '/b', size: 5 });
    expect(new Set(kept).size).toBe(1);
    expect(copies.map((c) => [c.metric.name, c.attributes, c.value])).toEqual([
      ['hits', { route: '/a' }, 1],
      ['size', {}, 3],
      ['took', {}, 0.3],
      ['hits', { route: '/b' }, 1],
      ['size', {}, 5],
      ['took', {}, 0.5],
    ]);
    expect(Object.isFrozen(copies[0])).toBe(true);
    // After the batch the record holds neither the last event nor its context.
    const record = kept[0] as MetricChange;
    expect(record.event).not.toMatchObject({ type: 'hit' });
    expect(record.context).toBeUndefined();
    expect(record.value).toBeUndefined();
    expect(record.recorder).toBe(recorder);
  });

  it('a listener that does not say transient may keep its changes: each is its own, in either mode, beside a transient one', () => {
    for (const testMode of [true, false]) {
      detectKeptChanges(testMode);
      const recorder = createTestRecorder(metrics());
      const kept: MetricChange[] = [];
      const transientSaw: unknown[] = [];
      recorder.onChange((change) => transientSaw.push(change.value), { transient: true });
      const off = recorder.onChange((change) => kept.push(change));
      recorder.registerEvent({ type: 'hit', route: '/a', size: 3 });
      recorder.registerEvent({ type: 'hit', route: '/b', size: 5 });
      expect(new Set(kept).size).toBe(6);
      expect(kept.map((c) => [c.metric.name, c.attributes, c.value, c.event])).toEqual([
        ['hits', { route: '/a' }, 1, { type: 'hit', route: '/a', size: 3 }],
        ['size', {}, 3, { type: 'hit', route: '/a', size: 3 }],
        ['took', {}, 0.3, { type: 'hit', route: '/a', size: 3 }],
        ['hits', { route: '/b' }, 1, { type: 'hit', route: '/b', size: 5 }],
        ['size', {}, 5, { type: 'hit', route: '/b', size: 5 }],
        ['took', {}, 0.5, { type: 'hit', route: '/b', size: 5 }],
      ]);
      expect(transientSaw).toEqual([1, 3, 0.3, 1, 5, 0.5]);
      // once only transient listeners are left, the record is reused again
      off();
      off(); // a second call changes nothing
      const reused: MetricChange[] = [];
      recorder.onChange((change) => reused.push(change), { transient: true });
      detectKeptChanges(false);
      recorder.registerEvent({ type: 'hit', route: '/c', size: 1 });
      expect(new Set(reused).size).toBe(1);
    }
  });

  it('a subclass afterChange may keep its changes too (the record is not reused while it listens)', () => {
    detectKeptChanges(false);
    const kept: MetricChange[] = [];
    class Keeping extends MetricsRecorder {
      protected override afterChange(change: MetricChange): void {
        kept.push(change);
      }
    }
    const recorder = new Keeping('keeping', { metrics: metrics(), scheduler: 'sync' });
    recorder.onChange(() => {}, { transient: true });
    recorder.start();
    recorder.registerEvent({ type: 'hit', route: '/a', size: 3 });
    expect(new Set(kept).size).toBe(3);
    expect(kept.map((c) => c.value)).toEqual([1, 3, 0.3]);
  });

  it('refuses options that are not { transient?: boolean } at wiring, naming the option', () => {
    const recorder = createTestRecorder(metrics());
    for (const bad of [null, 1, 'yes', { transient: 'yes' }, { transient: 1 }]) {
      expect(() => recorder.onChange(() => {}, bad as never)).toThrow(/onChange: options/);
    }
    expect(() => recorder.onChange(() => {}, {})).not.toThrow();
    expect(() => recorder.onChange(() => {}, { transient: false })).not.toThrow();
  });

  it('copies kept across events and recorders equal what each call saw (property)', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(
          fc.record({
            recorder: fc.integer({ min: 0, max: 1 }),
            route: fc.constantFrom('/', 'toString', '__proto__', 'constructor', '/a'),
            size: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
            other: fc.boolean(),
          }),
          { maxLength: 40 },
        ),
        (testMode, events) => {
          detectKeptChanges(testMode);
          const recorders = [createTestRecorder(metrics()), createTestRecorder(metrics())];
          const seen: unknown[][] = [];
          const copies: MetricChange[] = [];
          for (const recorder of recorders) {
            recorder.onChange(
              (change) => {
                seen.push([
                  change.recorder,
                  change.metric,
                  change.event,
                  change.context,
                  change.attributes,
                  change.value,
                ]);
                copies.push(copyChange(change));
                // A hook that registers on another recorder (processed at once: sync) nests a
                // dispatch inside this one; this change must be unaffected.
                if (change.metric.name === 'hits' && change.recorder === recorders[0]) {
                  recorders[1]?.registerEvent({ type: 'hit', route: 'nested', size: 1 });
                }
              },
              { transient: true },
            );
          }
          for (const e of events) {
            recorders[e.recorder]?.registerEvent(
              e.other ? { type: 'other' } : { type: 'hit', route: e.route, size: e.size },
            );
          }
          expect(
            copies.map((c) => [c.recorder, c.metric, c.event, c.context, c.attributes, c.value]),
          ).toEqual(seen);
        },
      ),
    );
  });
});
