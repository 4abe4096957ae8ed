import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricsWiringError } from '../errors/index.js';
import { counter, histogram } from '../metrics/index.js';
import type { Metric, MetricUpdate } from '../metrics/types.js';
import { createTestRecorder } from '../testing/index.js';
import { copyChange, type MetricChange, MetricsRecorder } from './index.js';

interface Hit {
  type: 'hit';
  route: string;
  traced: boolean;
}

/** A hand-written metric that records whether the recorder handed it a MetricUpdate. */
function probe() {
  const updates: boolean[] = [];
  const metric: Metric = {
    name: 'probe',
    handleEvent(event: object, update?: MetricUpdate) {
      if ((event as Hit).type !== 'hit') return false;
      updates.push(update !== undefined);
      if (update !== undefined) {
        update.attributes = { route: (event as Hit).route };
        update.value = 1;
      }
      return true;
    },
    snapshot: () => ({ name: 'probe', kind: 'counter', points: [] }),
  };
  return { metric, updates };
}

/** A sync recorder whose capturer returns a context only for events registered with `traced`. */
function tracedRecorder(metrics: Metric[]) {
  const recorder = createTestRecorder(metrics);
  let current: object | undefined;
  recorder.setContextCapture(() => current);
  const register = (hit: Hit) => {
    current = hit.traced ? { route: hit.route } : undefined;
    recorder.registerEvent(hit);
    current = undefined;
  };
  return { recorder, register };
}

const hits = fc.array(
  fc.record({
    type: fc.constant('hit' as const),
    route: fc.constantFrom('/a', '/b', 'constructor', '__proto__'),
    traced: fc.boolean(),
  }),
  { maxLength: 30 },
);

describe('onChange(listener, { withContext: true })', () => {
  it('is called exactly for the changes whose event carried a context; an every-change listener beside it sees all', () => {
    fc.assert(
      fc.property(hits, fc.boolean(), (events, transient) => {
        const { recorder, register } = tracedRecorder([
          counter({ name: 'hits', on: 'hit', attributes: (e: Hit) => ({ route: e.route }) }),
          histogram({ name: 'took', on: 'hit', value: () => 1 }),
        ]);
        const withContext: MetricChange[] = [];
        const every: MetricChange[] = [];
        recorder.onChange((change) => withContext.push(copyChange(change)), {
          transient,
          withContext: true,
        });
        recorder.onChange((change) => every.push(copyChange(change)), { transient: true });
        for (const event of events) register(event);
        // Two metrics accept every hit.
        expect(every).toHaveLength(2 * events.length);
        expect(withContext).toEqual(every.filter((change) => change.context !== undefined));
        expect(withContext).toHaveLength(2 * events.filter((event) => event.traced).length);
      }),
    );
  });

  it('while every listener says withContext, an event without a context costs no change: the metric gets no MetricUpdate', () => {
    const { metric, updates } = probe();
    const { recorder, register } = tracedRecorder([metric]);
    const seen: unknown[] = [];
    const off = recorder.onChange((change) => seen.push(change.context), {
      transient: true,
      withContext: true,
    });
    register({ type: 'hit', route: '/a', traced: false });
    register({ type: 'hit', route: '/b', traced: true });
    expect(updates).toEqual([false, true]);
    expect(seen).toEqual([{ route: '/b' }]);
    // An every-change listener joins: every event gets its update again.
    const offEvery = recorder.onChange(() => {});
    register({ type: 'hit', route: '/c', traced: false });
    expect(updates).toEqual([false, true, true]);
    offEvery();
    register({ type: 'hit', route: '/d', traced: false });
    off();
    register({ type: 'hit', route: '/e', traced: true });
    expect(updates).toEqual([false, true, true, false, false]);
    expect(seen).toEqual([{ route: '/b' }]);
  });

  it('an afterChange override still sees every change', () => {
    const { metric, updates } = probe();
    const seen: unknown[] = [];
    class Hooked extends MetricsRecorder {
      protected override afterChange(change: MetricChange): void {
        seen.push(change.context);
      }
    }
    const recorder = new Hooked('hooked', { metrics: [metric], scheduler: 'sync' });
    recorder.start();
    recorder.onChange(() => {}, { transient: true, withContext: true });
    recorder.registerEvent({ type: 'hit', route: '/a', traced: false });
    expect(updates).toEqual([true]);
    expect(seen).toEqual([undefined]);
  });

  it('refuses a withContext that is not a boolean at wiring', () => {
    const recorder = createTestRecorder([]);
    for (const bad of [{ withContext: 'yes' }, { withContext: 1 }, { withContext: null }]) {
      expect(() => recorder.onChange(() => {}, bad as never)).toThrow(MetricsWiringError);
    }
    expect(() => recorder.onChange(() => {}, { withContext: false })).not.toThrow();
  });
});
