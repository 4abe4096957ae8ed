import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resetSpecializer, specialize, specializedCount } from './specialize.js';

// Which source texts `specialize` can compile: a method's text (`name(params) { … }`, spaces
// allowed before the parenthesis) needs `function ` before it; a function's or an arrow's text is
// an expression already, whatever words or calls it holds further on. The methods are built from
// source text so that their text is exactly what is written here.

const canary = () => 'canary';
const build = (source: string) => new Function(`return (${source});`)() as Function;
const methodOf = (source: string) => {
  const holder = new Function(`return ({ ${source} });`)() as Record<string, Function>;
  return Object.values(holder)[0] as Function;
};

// Other test files of this worker may have made copies (one module graph): start from none.
beforeEach(() => resetSpecializer());
afterEach(() => resetSpecializer());

describe('specialize: the texts it compiles', () => {
  it.each([
    ['a method', methodOf('double(x) { return 2 * x; }')],
    ['a method with a space before (', methodOf('double (x) { return 2 * x; }')],
    [
      'a method whose body says function',
      methodOf("double(x) { return typeof x === 'function' ? 0 : 2 * x; }"),
    ],
    [
      'a method whose body says async',
      methodOf('double(x) { const async = 2; return async * x; }'),
    ],
    ['an arrow that calls a function', build('(x) => Math.abs(2 * x)')],
    ['a function expression', build('function (x) { return 2 * x; }')],
  ])('compiles %s into a copy of its own that behaves the same', (_, method) => {
    const copy = specialize(method, 'k', canary);
    expect(copy).not.toBe(method);
    expect(copy(21)).toBe(42);
    expect(specializedCount()).toBe(1);
  });

  it('asks the canary once: a later caller cannot turn compiling off', () => {
    const method = build('(x) => x + 1');
    expect(specialize(method, 'a', canary)).not.toBe(method);
    expect(specialize(method, 'b', () => 'rewritten')).not.toBe(method);
    expect(specializedCount()).toBe(2);
    resetSpecializer();
    expect(specializedCount()).toBe(0);
    expect(specialize(method, 'a', () => 'rewritten')).toBe(method);
    expect(specializedCount()).toBe(0);
  });
});
