// A custom scheduler is an object with schedule(task) and stats(), as the wiring error says: a
// function carrying both methods is refused like any other function, not taken for a scheduler.
import { describe, expect, it } from 'vitest';
import { MetricsWiringError } from '../errors/index.js';
import { resolveScheduler } from './scheduler.js';

describe('resolveScheduler: the shape of a custom scheduler', () => {
  it('refuses a function even when it carries schedule() and stats()', () => {
    const callable = Object.assign(() => {}, {
      schedule() {},
      stats: () => ({ turns: 0, visits: 0 }),
    });
    const resolve = () => resolveScheduler(callable as never, undefined, undefined, 'Runtime "r"');
    expect(resolve).toThrow(MetricsWiringError);
    expect(resolve).toThrow(expect.objectContaining({ code: 'invalid-option' }));
    expect(resolve).toThrow(/^Runtime "r": scheduler must be .* got a function/);
  });
});
