import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, fixture, resultOf, runNode } from './support/child.js';

interface Result {
  beforeExit: boolean;
  totals: { registered: number; processed: number; dropped: number; pending: number };
}

describe('the library never keeps a process alive', () => {
  beforeAll(() => ensureBuilt());

  it('exits by itself, code 0, after processing everything, when shutdown() is never called', async () => {
    const run = await runNode(fixture('no-shutdown.mjs'), ['started'], { timeoutMs: 10_000 });
    expect(run.timedOut).toBe(false);
    expect(run.code, run.stderr).toBe(0);
    const result = resultOf<Result>(run);
    expect(result.beforeExit).toBe(true);
    expect(result.totals).toEqual({
      registered: 20_050,
      processed: 20_050,
      dropped: 0,
      pending: 0,
    });
  });

  it('exits by itself when the runtime was never started and events stay pending', async () => {
    const run = await runNode(fixture('no-shutdown.mjs'), ['never-started'], { timeoutMs: 10_000 });
    expect(run.timedOut).toBe(false);
    expect(run.code, run.stderr).toBe(0);
    expect(resultOf<Result>(run).totals).toEqual({
      registered: 20_050,
      processed: 0,
      dropped: 0,
      pending: 20_050,
    });
  });
});
