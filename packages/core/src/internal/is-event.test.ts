import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isEvent } from './is-event.js';

const exact = (value: unknown) => typeof value === 'object' && value !== null;

describe('isEvent', () => {
  it('is exactly "a non-null object that is not a function" for any value', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withBoxedValues: true }), (value) => {
        expect(isEvent(value)).toBe(exact(value));
      }),
    );
  });

  it('decides the odd cases the fast path leaves to typeof', () => {
    const { proxy: revoked, revoke } = Proxy.revocable({}, {});
    revoke();
    const throwingProto = new Proxy(
      {},
      {
        getPrototypeOf: () => {
          throw new Error('no');
        },
      },
    );
    const cases: unknown[] = [
      null,
      undefined,
      () => 1,
      class Event {},
      Object.setPrototypeOf(() => 1, null),
      Object.create(null),
      Object.create(Function.prototype),
      runInNewContext('({})'),
      runInNewContext('(function () {})'),
      revoked,
      throwingProto,
      new Proxy(() => 1, {}),
      Symbol('s'),
      10n,
    ];
    for (const value of cases) expect(isEvent(value), String(typeof value)).toBe(exact(value));
  });
});
