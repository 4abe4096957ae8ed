import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { oddThrown, oddThrownExamples } from '../../../../test/support/odd-values.js';
import { describeError } from './describe-error.js';

describe('describeError', () => {
  it('never throws and returns a bounded, non-empty string for any thrown value', () => {
    fc.assert(
      fc.property(oddThrown(), (make) => {
        const text = describeError(make());
        expect(typeof text).toBe('string');
        expect(text.length).toBeGreaterThan(0);
        expect(text.length).toBeLessThanOrEqual(501);
        expect(text).not.toMatch(/[\r\n]/);
      }),
      { numRuns: 300 },
    );
  });

  it.each(Object.entries(oddThrownExamples))('describes %s without throwing', (_name, make) => {
    expect(() => describeError(make())).not.toThrow();
  });

  it('gives an error its message on one line, and a value its own text', () => {
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError(new TypeError('bad'))).toBe('bad');
    expect(describeError(new Error('two\nlines\r\nthree'))).toBe('two lines three');
    expect(describeError('plain')).toBe('plain');
    expect(describeError(42n)).toBe('42n');
    expect(describeError({ toString: () => 'custom' })).toBe('custom');
  });
});
