// A class selector whose prototype is a function: an old-style constructor whose `prototype` was
// replaced by a function (with methods of its own, so it reads as a class). `instanceof` works
// with it like with any object prototype, so the dispatch index keys it like any class: a
// hand-written metric that declares it is asked only about its instances (docs/instrumenting.md,
// "Dispatch"), and an event no metric selects is reported unhandled. Survivor dispatch-index.ts
// 53:27 of core recorder (docs/reliability.md).
import { describe, expect, it } from 'vitest';
import { MetricEvent } from '../events/index.js';
import { counter, type Metric } from '../metrics/index.js';
import { createTestRecorder, pointValue } from '../testing/index.js';

class Saved extends MetricEvent {}

/** A hand-written metric that takes every event it is asked about. */
function taking(name: string, selector: unknown): Metric & { taken: object[] } {
  const taken: object[] = [];
  return {
    name,
    taken,
    descriptor: { name, kind: 'custom', selector },
    handleEvent: (event: object) => {
      taken.push(event);
      return true;
    },
    snapshot: () => ({ name, kind: 'custom', points: [] }),
  } as unknown as Metric & { taken: object[] };
}

/** `function Legacy() {}` whose prototype is a function carrying a method. */
function legacyClass(): new () => object {
  function Legacy() {}
  const proto = function legacyPrototype() {};
  (proto as unknown as { describe(): string }).describe = () => 'legacy';
  Legacy.prototype = proto;
  return Legacy as unknown as new () => object;
}

describe('a class selector whose prototype is a function', () => {
  it('a hand-written metric that declares it is asked only about its instances', () => {
    const Legacy = legacyClass();
    const legacy = taking('legacy', Legacy);
    const saved = taking('saved', Saved);
    const recorder = createTestRecorder([legacy, saved]);
    const events = [new Legacy(), new Saved(), { type: 'plain' }, new Legacy()];
    for (const event of events) recorder.registerEvent(event);
    expect(legacy.taken).toEqual([events[0], events[3]]);
    expect(saved.taken).toEqual([events[1]]);
  });

  it('an event that no metric selects is ignored and reported; built-in metrics count the instances', () => {
    const Legacy = legacyClass();
    const recorder = createTestRecorder([counter({ name: 'legacy', on: Legacy })], { name: 'r' });
    recorder.registerEvent(new Legacy());
    recorder.registerEvent({ type: 'plain' });
    recorder.registerEvent(new Legacy());
    expect(pointValue(recorder, 'legacy')).toBe(2);
    expect(recorder.stats()).toMatchObject({ processed: 3, ignored: 1 });
    const unhandled = recorder.errors.filter((e) => e.code === 'unhandled-event-type');
    expect(unhandled.map((e) => e.message.match(/type "([^"]+)"/)?.[1])).toEqual(['plain']);
  });
});
