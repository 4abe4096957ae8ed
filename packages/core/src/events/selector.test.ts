import { describe, expect, it } from 'vitest';
import { MetricsWiringError } from '../errors/index.js';
import { counter } from '../metrics/index.js';
import { createTestRecorder, pointValue } from '../testing/index.js';
import { MetricEvent } from './metric-event.js';
import { compileSelector, describeEvent } from './selector.js';

class SaveAttempt extends MetricEvent {
  constructor(readonly outcome: string) {
    super();
  }
}
class RetriedSaveAttempt extends SaveAttempt {}
class Unrelated extends MetricEvent {}

describe('event selection', () => {
  it('selects events by class, subclasses included', () => {
    const selects = compileSelector(SaveAttempt);
    expect(selects(new SaveAttempt('success'))).toBe(true);
    expect(selects(new RetriedSaveAttempt('success'))).toBe(true);
    expect(selects(new Unrelated())).toBe(false);
    expect(selects({ outcome: 'success' })).toBe(false);
  });

  it('selects events by their `type` string, with or without a class', () => {
    const selects = compileSelector('document.saved');
    expect(selects({ type: 'document.saved' })).toBe(true);
    expect(selects({ type: 'document.deleted' })).toBe(false);
    expect(selects({})).toBe(false);
    class Typed {
      readonly type = 'document.saved';
    }
    expect(selects(new Typed())).toBe(true);
  });

  it('selects events by predicate; only a strict `true` accepts', () => {
    const selects = compileSelector((e: { size?: number }) => (e.size ?? 0) > 10);
    expect(selects({ size: 11 })).toBe(true);
    expect(selects({ size: 3 })).toBe(false);
    const truthy = compileSelector(() => 1 as unknown as boolean);
    expect(truthy({})).toBe(false);
  });

  it('treats a plain `function` predicate as a predicate, not a class', () => {
    const selects = compileSelector(function big(e: { size?: number }) {
      return (e.size ?? 0) > 10;
    });
    expect(selects({ size: 20 })).toBe(true);
    expect(selects({ size: 1 })).toBe(false);
  });

  it('treats a function whose prototype is no object as a predicate (`instanceof` would throw)', () => {
    for (const prototype of [null, 'not an object', 42, true, Symbol('p')]) {
      function Big(e: { size?: number }) {
        return (e.size ?? 0) > 10;
      }
      Big.prototype = prototype as never;
      const selects = compileSelector(Big as never);
      expect(selects({ size: 11 })).toBe(true);
      expect(selects({ size: 3 })).toBe(false);
      const big = counter({ name: 'big', on: Big as never });
      const recorder = createTestRecorder([big]);
      for (const size of [11, 3, 20]) recorder.registerEvent({ size });
      expect(pointValue(recorder, 'big')).toBe(2);
      expect(recorder.errors).toEqual([]);
    }
  });

  it('selects by an old-style constructor function with prototype methods as a class', () => {
    function Legacy(this: { n: number }) {
      this.n = 1;
    }
    Legacy.prototype.describe = function describe() {
      return 'legacy';
    };
    const selects = compileSelector(Legacy as unknown as abstract new () => object);
    expect(selects(new (Legacy as unknown as new () => object)())).toBe(true);
    expect(selects({ n: 1 })).toBe(false);
  });

  it('lets a built-in metric count events that do not extend MetricEvent', () => {
    class PlainEvent {
      constructor(readonly outcome: string) {}
    }
    const recorder = createTestRecorder([
      counter({ name: 'plain', on: PlainEvent, attributes: (e) => ({ outcome: e.outcome }) }),
      counter({ name: 'by.type', on: 'ping' }),
    ]);
    recorder.registerEvent(new PlainEvent('ok'));
    recorder.registerEvent({ type: 'ping' });
    recorder.registerEvent({ type: 'pong' });
    expect(pointValue(recorder, 'plain', { outcome: 'ok' })).toBe(1);
    expect(pointValue(recorder, 'by.type')).toBe(1);
  });

  it('throws a wiring error naming the metric when `on` is neither class, string nor predicate', () => {
    expect(() => counter({ name: 'bad.on', on: 42 as unknown as string })).toThrow(
      MetricsWiringError,
    );
    expect(() => counter({ name: 'bad.on', on: 42 as unknown as string })).toThrow(/bad\.on/);
  });
});

describe('events that crossed a thread boundary', () => {
  it('lose their class after a structured clone and are still selected by `type`', () => {
    class Typed extends MetricEvent {
      readonly type = 'document.saved';
    }
    const cloned = structuredClone(new Typed()) as object;
    expect(compileSelector(Typed)(cloned)).toBe(false);
    expect(compileSelector('document.saved')(cloned)).toBe(true);
  });
});

describe('describeEvent', () => {
  it('names an event by its type, else its class, and never throws', () => {
    expect(describeEvent({ type: 'ping' })).toBe('ping');
    expect(describeEvent(new SaveAttempt('x'))).toBe('SaveAttempt');
    expect(describeEvent(Object.create(null))).toBe('Object');
    expect(describeEvent(null)).toBe('object');
    expect(describeEvent(7)).toBe('number');
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('boom');
        },
      },
    );
    expect(describeEvent(hostile)).toBe('Object');
  });
});
