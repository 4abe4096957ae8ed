import { describe, expect, it } from 'vitest';
import { attributesKey, earliest } from './merge.js';

describe('merge helpers', () => {
  it('gives an attribute set one identity whatever the key order, and tells values apart', () => {
    expect(attributesKey({ b: 1, a: 'x' })).toBe(attributesKey({ a: 'x', b: 1 }));
    expect(attributesKey({ a: '1' })).not.toBe(attributesKey({ a: 1 }));
    expect(attributesKey({ a: 'x,b' })).not.toBe(attributesKey({ a: 'x', b: '' }));
    expect(attributesKey({})).not.toBe(attributesKey({ a: '' }));
    expect(attributesKey({ a: ['1', '2'] })).not.toBe(attributesKey({ a: ['1,2'] }));
    expect(attributesKey({ a: [1, 2] })).toBe(attributesKey({ a: [1, 2] }));
  });

  it('never throws on values a hand-written metric may put in its attributes', () => {
    const odd = { b: 10n, s: Symbol('s'), u: undefined, o: Object.create(null) } as never;
    expect(() => attributesKey(odd)).not.toThrow();
    expect(attributesKey(odd)).toBe(attributesKey(odd));
  });

  it('picks the earlier start time', () => {
    expect(earliest([5, 10], [5, 9])).toEqual([5, 9]);
    expect(earliest([4, 10], [5, 0])).toEqual([4, 10]);
  });
});
