import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, fixture, resultOf, runNode } from './support/child.js';

interface FailedDrain {
  states: string[];
  errors: string[];
  stats: { registered: number; processed: number; dropped: number; pending: number };
}

describe('a shutdown that cannot drain, in a process with nothing else to do', () => {
  beforeAll(() => ensureBuilt());

  it('still ends failed, reports, resolves, and then lets the process exit', async () => {
    const run = await runNode(fixture('failed-drain.mjs'), ['50'], { timeoutMs: 20_000 });
    expect(run.timedOut).toBe(false);
    expect(run.code).toBe(0);
    const result = resultOf<FailedDrain>(run);
    expect(result.states).toEqual(['running', 'draining', 'failed']);
    expect(result.errors).toEqual(['shutdown-timeout']);
    expect(result.stats).toMatchObject({
      registered: 1000,
      processed: 0,
      dropped: 1000,
      pending: 0,
    });
  });
});
