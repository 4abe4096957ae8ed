import { describeError } from '@mvx-metrics/core';
import { describe, expect, it } from 'vitest';
import { callContained } from './contain.js';
import { Reporter } from './report.js';

/** Thrown values that break naive `String(error)` / `error.message`. */
function oddThrows(): Array<[string, unknown]> {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  const badMessage = new Error('x');
  Object.defineProperty(badMessage, 'message', {
    get() {
      throw new Error('message getter exploded');
    },
  });
  const badPrimitive = {
    [Symbol.toPrimitive]() {
      throw new Error('toPrimitive exploded');
    },
  };
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const nullProto = Object.create(null);
  return [
    ['a revoked Proxy', proxy],
    ['an Error whose message getter throws', badMessage],
    ['an object whose Symbol.toPrimitive throws', badPrimitive],
    ['a cyclic object', cyclic],
    ['an object without prototype', nullProto],
    ['a symbol', Symbol('s')],
    ['undefined', undefined],
    ['null', null],
    ['a string', 'plain'],
  ];
}

// The bridge describes thrown values with core's describeError (export-failed, snapshot-failed).
describe('describeError, as the bridge uses it', () => {
  it.each(oddThrows())('describes %s in one line, without throwing', (_name, thrown) => {
    let text = '';
    expect(() => {
      text = describeError(thrown);
    }).not.toThrow();
    expect(typeof text).toBe('string');
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toContain('\n');
  });
});

describe('callContained', () => {
  it.each(oddThrows())('contains a handler that throws %s', (_name, thrown) => {
    const handler = () => {
      throw thrown;
    };
    expect(() => callContained(handler, 1)).not.toThrow();
  });

  it('a Reporter with a throwing handler still reports each problem once, and never throws', () => {
    let calls = 0;
    const reporter = new Reporter(() => {
      calls++;
      throw oddThrows()[0]?.[1];
    });
    expect(() => {
      reporter.once('k', 'hook-failed', 'first');
      reporter.once('k', 'hook-failed', 'again');
      reporter.once('other', 'name-clash', 'other');
    }).not.toThrow();
    expect(calls).toBe(2);
  });
});
