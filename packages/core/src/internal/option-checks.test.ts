// The option checks every public constructor runs at wiring time (runtime, recorder, scheduler,
// cluster): what each accepts, and that a refusal is a MetricsWiringError naming the owner, the
// option and what was wanted, with the value described (never echoed when it is not a string).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MetricsWiringError } from '../errors/index.js';
import { describeValue } from './attributes.js';
import {
  optionalArray,
  optionalBoolean,
  optionalClock,
  optionalFunction,
  optionalInteger,
  optionalOneOf,
  optionalPositive,
  optionalString,
  optionsObject,
  readOption,
} from './option-checks.js';

const owner = { label: 'Thing "docs"' };
const coded = { label: 'Other', code: 'invalid-recorder-name' as const };

/** The wiring error `run` throws (fails the test when it returns). */
function thrown(run: () => unknown): MetricsWiringError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MetricsWiringError);
    return error as MetricsWiringError;
  }
  throw new Error('expected a MetricsWiringError');
}

const anything = fc.oneof(
  fc.anything(),
  fc.constantFrom<unknown>(Number.NaN, Infinity, -Infinity, -0, 10n, Symbol('s'), () => 1),
);

describe('optionsObject', () => {
  test('undefined is {}; an object or class instance is taken as is', () => {
    expect(optionsObject(owner, undefined)).toEqual({});
    const options = { a: 1 };
    expect(optionsObject(owner, options)).toBe(options);
    const instance = new (class Options {
      a = 2;
    })();
    expect(optionsObject(owner, instance)).toBe(instance);
  });

  test.each([
    [null, 'null'],
    [[], 'an array'],
    [5, '5'],
    ['x', '"x"'],
    [() => 1, 'a function'],
  ])('%p is refused as not an object', (value, described) => {
    const error = thrown(() => optionsObject(owner, value));
    expect(error.code).toBe('invalid-option');
    expect(error.message).toBe(`Thing "docs": options must be an object, got ${described}.`);
  });

  test("a revoked Proxy is refused, with the owner's code", () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const error = thrown(() => optionsObject(coded, proxy));
    expect(error.code).toBe('invalid-recorder-name');
    expect(error.message).toBe('Other: options must be an object, got an object.');
  });
});

describe('readOption', () => {
  test('a throwing getter is a wiring error naming the option, with the thrown value as cause', () => {
    const cause = new Error('boom');
    const options = {
      get flushMs(): number {
        throw cause;
      },
    };
    const error = thrown(() => readOption(owner, options, 'flushMs'));
    expect(error.code).toBe('invalid-option');
    expect(error.message).toBe('Thing "docs": reading option `flushMs` threw: boom.');
    expect(error.cause).toBe(cause);
  });

  test('reads own and inherited values as they are', () => {
    const options = Object.create({ inherited: 3 }) as Record<string, unknown>;
    options.own = 'x';
    expect(readOption(owner, options, 'own')).toBe('x');
    expect(readOption(owner, options, 'inherited')).toBe(3);
    expect(readOption(owner, options, 'missing')).toBeUndefined();
  });
});

/** The message of an option refused by a check. */
const refusal = (key: string, wanted: string, value: unknown) =>
  `Thing "docs": option \`${key}\` must be ${wanted}, got ${describeValue(value)}.`;

describe('type checks: absent is undefined, a fitting value is returned as is, the rest refused', () => {
  test('optionalFunction', () => {
    const f = () => 1;
    expect(optionalFunction(owner, {}, 'onError')).toBeUndefined();
    expect(optionalFunction(owner, { onError: f }, 'onError')).toBe(f);
    fc.assert(
      fc.property(
        anything.filter((v) => v !== undefined && typeof v !== 'function'),
        (value) => {
          const error = thrown(() => optionalFunction(owner, { onError: value }, 'onError'));
          expect(error.message).toBe(refusal('onError', 'a function', value));
        },
      ),
    );
  });

  test('optionalString, and with nonEmpty the empty string refused', () => {
    expect(optionalString(owner, {}, 'name')).toBeUndefined();
    expect(optionalString(owner, { name: '' }, 'name')).toBe('');
    expect(optionalString(owner, { name: 'x' }, 'name', true)).toBe('x');
    expect(thrown(() => optionalString(owner, { name: '' }, 'name', true)).message).toBe(
      refusal('name', 'a non-empty string', ''),
    );
    expect(optionalString(owner, {}, 'name', true)).toBeUndefined();
    fc.assert(
      fc.property(
        anything.filter((v) => v !== undefined && typeof v !== 'string'),
        fc.boolean(),
        (value, nonEmpty) => {
          const error = thrown(() => optionalString(owner, { name: value }, 'name', nonEmpty));
          expect(error.message).toBe(
            refusal('name', nonEmpty ? 'a non-empty string' : 'a string', value),
          );
        },
      ),
    );
  });

  test('optionalBoolean', () => {
    expect(optionalBoolean(owner, {}, 'on')).toBeUndefined();
    expect(optionalBoolean(owner, { on: true }, 'on')).toBe(true);
    expect(optionalBoolean(owner, { on: false }, 'on')).toBe(false);
    fc.assert(
      fc.property(
        anything.filter((v) => v !== undefined && typeof v !== 'boolean'),
        (value) => {
          const error = thrown(() => optionalBoolean(owner, { on: value }, 'on'));
          expect(error.message).toBe(refusal('on', '`true` or `false`', value));
        },
      ),
    );
  });

  test('optionalOneOf names every allowed value', () => {
    const allowed = ['drop-newest', 'drop-oldest'] as const;
    expect(optionalOneOf(owner, {}, 'overflow', allowed)).toBeUndefined();
    expect(optionalOneOf(owner, { overflow: 'drop-oldest' }, 'overflow', allowed)).toBe(
      'drop-oldest',
    );
    for (const value of ['drop', 'DROP-NEWEST', '', 1, null]) {
      expect(
        thrown(() => optionalOneOf(owner, { overflow: value }, 'overflow', allowed)).message,
      ).toBe(refusal('overflow', "'drop-newest' or 'drop-oldest'", value));
    }
  });
});

describe('optionalInteger: an integer in [min, max], both ends included', () => {
  test('absent; the ends; the default max is Number.MAX_SAFE_INTEGER', () => {
    expect(optionalInteger(owner, {}, 'n', 1)).toBeUndefined();
    expect(optionalInteger(owner, { n: 1 }, 'n', 1, 3)).toBe(1);
    expect(optionalInteger(owner, { n: 3 }, 'n', 1, 3)).toBe(3);
    expect(optionalInteger(owner, { n: Number.MAX_SAFE_INTEGER }, 'n', 0)).toBe(
      Number.MAX_SAFE_INTEGER,
    );
    expect(thrown(() => optionalInteger(owner, { n: 2 ** 53 }, 'n', 0)).message).toBe(
      refusal('n', `an integer from 0 to ${Number.MAX_SAFE_INTEGER}`, 2 ** 53),
    );
  });

  test('any value: accepted exactly when it is an integer within the bounds', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -20, max: 20 }), fc.double(), anything),
        fc.integer({ min: -10, max: 10 }),
        fc.nat(10),
        (value, min, span) => {
          const max = min + span;
          const fits =
            typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
          if (value === undefined) {
            expect(optionalInteger(owner, { n: value }, 'n', min, max)).toBeUndefined();
          } else if (fits) {
            expect(optionalInteger(owner, { n: value }, 'n', min, max)).toBe(value);
          } else {
            expect(thrown(() => optionalInteger(owner, { n: value }, 'n', min, max)).message).toBe(
              refusal('n', `an integer from ${min} to ${max}`, value),
            );
          }
        },
      ),
    );
  });
});

describe('optionalPositive: a finite number above 0', () => {
  test('any value: accepted exactly when it is finite and above 0', () => {
    expect(optionalPositive(owner, {}, 'ms')).toBeUndefined();
    expect(optionalPositive(owner, { ms: Number.MIN_VALUE }, 'ms')).toBe(Number.MIN_VALUE);
    for (const value of [0, -0, -1, Infinity, Number.NaN, '5']) {
      expect(thrown(() => optionalPositive(owner, { ms: value }, 'ms')).message).toBe(
        refusal('ms', 'a finite number above 0', value),
      );
    }
    fc.assert(
      fc.property(fc.oneof(fc.double(), anything), (value) => {
        fc.pre(value !== undefined);
        if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
          expect(optionalPositive(owner, { ms: value }, 'ms')).toBe(value);
        } else {
          expect(thrown(() => optionalPositive(owner, { ms: value }, 'ms')).message).toBe(
            refusal('ms', 'a finite number above 0', value),
          );
        }
      }),
    );
  });
});

describe('optionalArray', () => {
  test('returns a copy: changing the array afterwards cannot bypass the check', () => {
    const items = [1, 2];
    const copy = optionalArray(owner, { items }, 'items');
    expect(copy).toEqual([1, 2]);
    expect(copy).not.toBe(items);
    items.push(3);
    expect(copy).toEqual([1, 2]);
    expect(optionalArray(owner, {}, 'items')).toBeUndefined();
  });

  test('anything but an array is refused, and so is an array that throws when read', () => {
    for (const value of [null, {}, 'ab', 1, new Set([1])]) {
      expect(thrown(() => optionalArray(owner, { items: value }, 'items')).message).toBe(
        refusal('items', 'an array', value),
      );
    }
    const hostile = new Proxy([1], {
      get(target, key) {
        if (key === Symbol.iterator) throw new Error('no');
        return Reflect.get(target, key);
      },
    });
    expect(thrown(() => optionalArray(owner, { items: hostile }, 'items')).message).toBe(
      refusal('items', 'an array', hostile),
    );
  });
});

describe('optionalClock', () => {
  test('absent is undefined; a clock returning a finite number is kept, called once here', () => {
    expect(optionalClock(owner, {})).toBeUndefined();
    let calls = 0;
    const clock = () => {
      calls++;
      return 12.5;
    };
    expect(optionalClock(owner, { clock })).toBe(clock);
    expect(calls).toBe(1);
    const now = () => 0;
    expect(optionalClock(owner, { now }, 'now')).toBe(now);
  });

  test('a clock that throws names the option, with the thrown value as cause', () => {
    const cause = new Error('no time');
    const error = thrown(() =>
      optionalClock(owner, {
        clock: () => {
          throw cause;
        },
      }),
    );
    expect(error.message).toBe('Thing "docs": option `clock` threw when called: no time.');
    expect(error.cause).toBe(cause);
  });

  test('a clock returning anything but a finite number is refused', () => {
    for (const value of [Number.NaN, Infinity, '5', undefined, null, 1n]) {
      const error = thrown(() => optionalClock(owner, { clock: () => value }));
      expect(error.message).toBe(
        refusal('clock', 'a function returning a finite number of milliseconds', value),
      );
    }
    expect(thrown(() => optionalClock(owner, { clock: 5 })).message).toBe(
      refusal('clock', 'a function', 5),
    );
  });
});
