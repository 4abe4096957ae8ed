import { describe, expect, it } from 'vitest';
import { MetricEvent } from '../events/index.js';
import { counter, type Metric } from '../metrics/index.js';
import { createTestRecorder, pointValue } from '../testing/index.js';

// While events come in runs of one class, the index answers from the last event's entry with one
// prototype-chain test (`metricsFor`'s fast path). The fallbacks dispatch-index.test.ts checks on a
// first event must hold there too: an event whose prototype cannot be read, or whose `type` getter
// throws, after a run of events the fast path served.

class Saved extends MetricEvent {}

/** A hand-written metric that records every event it is asked about. */
function probe(name: string, selector: unknown): Metric & { asked: object[] } {
  const asked: object[] = [];
  return {
    name,
    asked,
    descriptor: { name, kind: 'custom', selector },
    handleEvent: (event: object) => {
      asked.push(event);
      return false;
    },
    snapshot: () => ({ name, kind: 'custom', points: [] }),
  } as Metric & { asked: object[] };
}

describe('dispatch index, within a run of one class', () => {
  it('asks every metric about an event whose prototype cannot be read', () => {
    const onSaved = probe('on.saved', Saved);
    const onType = probe('on.type', 'x');
    const recorder = createTestRecorder([onSaved, onType]);
    for (let i = 0; i < 3; i++) recorder.registerEvent(new Saved());
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(() => recorder.registerEvent(proxy)).not.toThrow();
    // as without an index: the metric on type 'x' is asked too
    // (compared by identity: a revoked proxy cannot be compared by value)
    expect(onType.asked.length).toBe(1);
    expect(onType.asked[0] === proxy).toBe(true);
    expect(onSaved.asked.length).toBe(4);
    expect(onSaved.asked[3] === proxy).toBe(true);
    expect(recorder.stats()).toMatchObject({ processed: 4, failed: 0 });
  });

  it('asks every metric when the `type` getter of an event of the run’s class throws', () => {
    class Sneaky extends Saved {
      get type(): string {
        throw new Error('no type');
      }
    }
    const recorder = createTestRecorder([
      counter({ name: 'by.class', on: Saved }),
      counter({ name: 'by.type', on: 'saved' }),
    ]);
    for (let i = 0; i < 3; i++) recorder.registerEvent(new Saved());
    recorder.registerEvent(new Sneaky());
    expect(pointValue(recorder, 'by.class')).toBe(4);
    // the metric on a type was asked, and failed reading it
    expect(recorder.stats()).toMatchObject({ accepted: 4, failed: 1 });
  });
});
