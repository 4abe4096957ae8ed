// The split form of a selector (what the recorder's dispatch index keys on) and the edges of
// selection and event naming: a class with its own `Symbol.hasInstance` keeps its own answer on
// every path, the split form always agrees with the plain test, and names are never empty.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricEvent } from './metric-event.js';
import { compileSelector, describeEvent, isInstance, splitSelector } from './selector.js';

class Saved extends MetricEvent {}
class SavedTwice extends Saved {}
class Other extends MetricEvent {}

/** Accepts any object whose `kind` is 'saved', whatever its class (a duck-typed event family). */
// biome-ignore lint/complexity/noStaticOnlyClass: a selector class whose only job is its hasInstance
class SavedLike {
  static [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'saved'
    );
  }
}

const events: object[] = [
  new Saved(),
  new SavedTwice(),
  new Other(),
  { kind: 'saved' },
  { kind: 'other' },
  { type: 'saved' },
  { type: 'other' },
  Object.create(null) as object,
];
const selectors = [Saved, SavedTwice, SavedLike, 'saved', 'other', (e: object) => 'kind' in e];

describe('splitSelector', () => {
  it('a type string is split as its type; a plain class as its class', () => {
    expect(splitSelector('saved')).toMatchObject({ type: 'saved', cls: undefined });
    expect(splitSelector(Saved)).toMatchObject({ type: undefined, cls: Saved });
    const predicate = (e: object) => e instanceof Saved;
    expect(splitSelector(predicate)).toMatchObject({ type: undefined, cls: undefined });
  });

  it('a class with its own Symbol.hasInstance is not split as a class (its own answer is kept)', () => {
    const split = splitSelector(SavedLike);
    expect(split.cls).toBeUndefined();
    expect(split.type).toBeUndefined();
    expect(split.test({ kind: 'saved' })).toBe(true);
    expect(split.test(new SavedLike())).toBe(false);
  });

  it('every split form selects exactly what the plain test selects', () => {
    fc.assert(
      fc.property(fc.constantFrom(...selectors), fc.constantFrom(...events), (on, event) => {
        const split = splitSelector(on);
        const expected = compileSelector(on)(event);
        expect(split.test(event)).toBe(expected);
        if (split.cls !== undefined) expect(isInstance(split.cls, event)).toBe(expected);
        if (split.type !== undefined) {
          expect((event as { type?: unknown }).type === split.type).toBe(expected);
        }
      }),
    );
  });
});

describe('compileSelector', () => {
  it('a class with its own Symbol.hasInstance selects by it, like instanceof', () => {
    const selects = compileSelector(SavedLike);
    expect(selects({ kind: 'saved' })).toBe(true);
    expect(selects({ kind: 'other' })).toBe(false);
    expect(selects(new SavedLike())).toBe(false);
  });

  it.each([42, null, undefined, {}, Symbol('s')])('refuses %p as a selector', (on) => {
    expect(() => compileSelector(on as unknown as string)).toThrow(
      new TypeError('`on` must be an event class, a type string or a predicate'),
    );
  });
});

describe('describeEvent', () => {
  it('an empty type is no name: the class names the event', () => {
    expect(describeEvent({ type: '' })).toBe('Object');
    class Typed {
      readonly type = '';
    }
    expect(describeEvent(new Typed())).toBe('Typed');
  });

  it('a class without a usable name is "Object", never an empty name', () => {
    const Anonymous = (() => class {})();
    Object.defineProperty(Anonymous, 'name', { value: '' });
    expect(describeEvent(new Anonymous())).toBe('Object');
    expect(describeEvent({ constructor: { name: 5 } })).toBe('Object');
    expect(describeEvent({ constructor: { name: ['Array'] } })).toBe('Object');
    expect(describeEvent({ constructor: undefined })).toBe('Object');
  });
});
