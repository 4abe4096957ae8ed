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
      }),
      { numRuns: 300 },
    );
  });

  it.each(Object.entries(oddThrownExamples))('describes %s without throwing', (_name, make) => {
    expect(() => describeError(make())).not.toThrow();
  });

  it('keeps the message of an ordinary error and names a non-generic error class', () => {
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError(new TypeError('bad'))).toBe('TypeError: bad');
    expect(describeError('plain')).toBe('plain');
    expect(describeError(42n)).toBe('42n');
    expect(describeError({ toString: () => 'custom' })).toBe('custom');
  });
});
