// What describeError says for each shape of thrown value: the text that ends up in onError
// messages and console warnings ("metric threw: ..."), so a user reading it can tell what was
// thrown. The property test beside this file checks it never throws; these pin the words.
import { afterEach, describe, expect, it } from 'vitest';
import { describeError } from './describe-error.js';
import { MetricsError } from './index.js';

const realSymbolToString = Symbol.prototype.toString;
afterEach(() => {
  Symbol.prototype.toString = realSymbolToString;
});

describe('describeError, case by case', () => {
  it.each([
    ['an empty string', ''],
    ['null', null],
    ['undefined', undefined],
    ['5', 5],
    ['NaN', Number.NaN],
    ['true', true],
    ['42n', 42n],
    ['Symbol(why)', Symbol('why')],
    ['a function', () => 1],
    ['a function', function named() {}],
    ['a function', class Thrown {}],
  ])('%s', (expected, value) => {
    expect(describeError(value)).toBe(expected);
  });

  it('an error with an empty message is named by its own text (name), never as empty', () => {
    expect(describeError(new Error(''))).toBe('Error');
    expect(describeError(new RangeError())).toBe('RangeError');
  });

  it('a function carrying a message gives its message', () => {
    expect(describeError(Object.assign(() => 1, { message: 'from a function' }))).toBe(
      'from a function',
    );
  });

  it('an object without text of its own is described by its shape', () => {
    expect(describeError({})).toBe('an object (no message)');
    expect(describeError({ message: '' })).toBe('an object (no message)');
    expect(describeError({ message: 7 })).toBe('an object (no message)');
    expect(describeError(Object.create(null))).toBe('an object (no message)');
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(describeError(proxy)).toBe('an object (no message)');
    // A toString returning nothing must not make the description empty (it was '').
    expect(describeError({ toString: () => '' })).toBe('an object (no message)');
  });

  it('an object whose message getter throws falls back to its own text', () => {
    const value = {
      get message(): string {
        throw new Error('no');
      },
      toString: () => 'its text',
    };
    expect(describeError(value)).toBe('its text');
  });

  it('a message is cut at 500 characters (an ellipsis added) and kept whole up to that', () => {
    const exact = 'x'.repeat(500);
    expect(describeError(new Error(exact))).toBe(exact);
    expect(describeError(exact)).toBe(exact);
    expect(describeError(new Error(`${exact}y`))).toBe(`${exact}…`);
    expect(describeError({ toString: () => `${exact}yz` })).toBe(`${exact}…`);
  });

  it('a symbol whose toString throws is still described', () => {
    Symbol.prototype.toString = () => {
      throw new Error('patched');
    };
    expect(describeError(Symbol('s'))).toBe('a symbol');
  });
});

describe('MetricsError', () => {
  it('is named MetricsError, so String(error) and stack traces say so', () => {
    const error = new MetricsError('invalid-event', 'bad thing');
    expect(error.name).toBe('MetricsError');
    expect(String(error)).toBe('MetricsError: bad thing');
    expect(error.code).toBe('invalid-event');
  });
});
