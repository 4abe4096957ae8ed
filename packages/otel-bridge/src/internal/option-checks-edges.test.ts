// The bridge's wiring-time option checks, input by input: the exact words and code of each
// refusal (the owner, the option, what was expected, the value shown short and never thrown on),
// a throwing getter named with its cause, and the values each check takes. StrykerJS survivors of
// internal/ (docs/reliability.md).
import { MetricsWiringError } from '@mvx-metrics/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  IS,
  optional,
  optionalClock,
  optionalWith,
  optionError,
  optionsObject,
  readOption,
  shown,
} from './option-checks.js';

/** The wiring error `run` throws (the test fails when it throws nothing or something else). */
function refusal(run: () => unknown): MetricsWiringError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MetricsWiringError);
    return error as MetricsWiringError;
  }
  throw new Error('expected a MetricsWiringError, nothing was thrown');
}

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

function throwingGetter(key: string, thrown: unknown): object {
  return Object.defineProperty({}, key, {
    get() {
      throw thrown;
    },
    enumerable: true,
  });
}

describe('optionError', () => {
  it('throws an invalid-option wiring error "owner: message", with the cause only when given', () => {
    const plain = refusal(() => optionError('createX', 'bad.'));
    expect(plain.code).toBe('invalid-option');
    expect(plain.message).toBe('createX: bad.');
    expect('cause' in plain).toBe(false);
    const cause = new Error('why');
    const caused = refusal(() => optionError('createX', 'bad.', cause));
    expect(caused.cause).toBe(cause);
  });
});

describe('shown', () => {
  it('shows a string quoted, cut at 40 characters with an ellipsis', () => {
    expect(shown('abc')).toBe('"abc"');
    expect(shown('')).toBe('""');
    const forty = 'x'.repeat(40);
    expect(shown(forty)).toBe(JSON.stringify(forty));
    expect(shown(`${forty}y`)).toBe(JSON.stringify(`${forty}…`));
  });

  it('names each other kind of value, and never throws on a revoked Proxy', () => {
    expect(shown(12n)).toBe('12n');
    expect(shown(Symbol('s'))).toBe('a symbol');
    expect(shown(() => 1)).toBe('a function');
    expect(shown(null)).toBe('null');
    expect(shown(undefined)).toBe('undefined');
    expect(shown(Number.NaN)).toBe('NaN');
    expect(shown(false)).toBe('false');
    expect(shown([1])).toBe('an array');
    expect(shown({ a: 1 })).toBe('an object');
    // Array.isArray throws on a revoked Proxy
    expect(shown(revokedProxy())).toBe('an object');
  });
});

describe('optionsObject', () => {
  it('takes undefined as {} and an object as it is', () => {
    expect(optionsObject('createX', undefined)).toEqual({});
    const options = { a: 1 };
    expect(optionsObject('createX', options)).toBe(options);
  });

  it.each([
    [null, 'null'],
    [[], 'an array'],
    ['s', '"s"'],
    [3, '3'],
    [() => ({}), 'a function'],
  ])('refuses %o, showing it', (options, text) => {
    const error = refusal(() => optionsObject('createX', options));
    expect(error.message).toBe(`createX: options must be an object, got ${text}.`);
    expect(error.code).toBe('invalid-option');
  });

  it('refuses a revoked Proxy as options (Array.isArray throws on it)', () => {
    const error = refusal(() => optionsObject('createX', revokedProxy()));
    expect(error.message).toBe('createX: options must be an object, got an object.');
  });
});

describe('readOption', () => {
  it('reads a key, and names a throwing getter with what it threw, as the cause', () => {
    expect(readOption('createX', { k: 7 }, 'k')).toBe(7);
    const thrown = new RangeError('nope');
    const error = refusal(() => readOption('createX', throwingGetter('k', thrown), 'k'));
    expect(error.message).toBe('createX: reading option `k` threw: nope.');
    expect(error.cause).toBe(thrown);
  });
});

describe('optional', () => {
  it('takes an absent option or one the check passes; refuses any other value in words', () => {
    expect(optional('createX', {}, 'k', IS.string)).toBeUndefined();
    expect(optional('createX', { k: 'v' }, 'k', IS.string)).toBe('v');
    const error = refusal(() => optional('createX', { k: 5 }, 'k', IS.string));
    expect(error.message).toBe('createX: option `k` must be a string, got 5.');
    expect(error.code).toBe('invalid-option');
  });

  it('each check takes exactly its values, and says what it wants', () => {
    const values = fc.oneof(
      fc.anything(),
      fc.constantFrom(0, -1, 1e-9, Number.NaN, Infinity, -Infinity, '', 'a', true, false, () => 1),
    );
    fc.assert(
      fc.property(values, (v) => {
        expect(IS.function[0](v)).toBe(typeof v === 'function');
        expect(IS.boolean[0](v)).toBe(v === true || v === false);
        expect(IS.string[0](v)).toBe(typeof v === 'string');
        expect(IS.nonEmptyString[0](v)).toBe(typeof v === 'string' && v.length > 0);
        expect(IS.positive[0](v)).toBe(
          typeof v === 'number' && v > 0 && v !== Number.POSITIVE_INFINITY,
        );
      }),
    );
    expect(Object.fromEntries(Object.entries(IS).map(([k, [, wanted]]) => [k, wanted]))).toEqual({
      function: 'a function',
      boolean: '`true` or `false`',
      string: 'a string',
      nonEmptyString: 'a non-empty string',
      positive: 'a finite number above 0',
    });
  });
});

describe('optionalWith', () => {
  it('takes an absent option or an object with the method', () => {
    expect(optionalWith('createX', {}, 'p', 'get')).toBeUndefined();
    const provider = { get: () => 1 };
    expect(optionalWith('createX', { p: provider }, 'p', 'get')).toBe(provider);
  });

  it.each([
    [null, 'null'],
    [{}, 'an object'],
    [{ get: 1 }, 'an object'],
    [() => 1, 'a function'],
    ['get', '"get"'],
  ])('refuses %o', (value, text) => {
    const error = refusal(() => optionalWith('createX', { p: value }, 'p', 'get'));
    expect(error.message).toBe(`createX: option \`p\` must be an object with get(), got ${text}.`);
  });

  it('refuses a function carrying the method: not an object', () => {
    const value = Object.assign(() => 1, { get: () => 1 });
    const error = refusal(() => optionalWith('createX', { p: value }, 'p', 'get'));
    expect(error.message).toBe('createX: option `p` must be an object with get(), got a function.');
  });

  it('refuses an object whose method getter throws, or a revoked Proxy', () => {
    for (const value of [throwingGetter('get', new Error('x')), revokedProxy()]) {
      const error = refusal(() => optionalWith('createX', { p: value }, 'p', 'get'));
      expect(error.message).toBe(
        'createX: option `p` must be an object with get(), got an object.',
      );
    }
  });
});

describe('optionalClock', () => {
  it('takes no clock, or a clock returning a finite number (called once, here)', () => {
    expect(optionalClock('createX', {})).toBeUndefined();
    let calls = 0;
    const clock = () => {
      calls++;
      return 1_700_000_000_000;
    };
    expect(optionalClock('createX', { clock })).toBe(clock);
    expect(calls).toBe(1);
  });

  it('refuses a clock that is no function', () => {
    const error = refusal(() => optionalClock('createX', { clock: 5 }));
    expect(error.message).toBe('createX: option `clock` must be a function, got 5.');
  });

  it('refuses a clock that throws, with what it threw as the cause', () => {
    const thrown = new Error('no time');
    const error = refusal(() =>
      optionalClock('createX', {
        clock: () => {
          throw thrown;
        },
      }),
    );
    expect(error.message).toBe('createX: option `clock` threw when called: no time.');
    expect(error.cause).toBe(thrown);
  });

  it.each([
    [Number.NaN, 'NaN'],
    [Infinity, 'Infinity'],
    ['1', '"1"'],
    [undefined, 'undefined'],
    [1n, '1n'],
  ])('refuses a clock returning %o', (now, text) => {
    const error = refusal(() => optionalClock('createX', { clock: () => now }));
    expect(error.message).toBe(
      `createX: option \`clock\` must return a finite number of milliseconds, got ${text}.`,
    );
  });
});
