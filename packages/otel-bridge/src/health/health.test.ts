import type { RuntimeState } from '@mvx-metrics/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PipelineHealth } from './health.js';

const STATES: RuntimeState[] = ['initializing', 'running', 'draining', 'drained', 'failed'];
const noFlush = () => Promise.resolve();

describe('PipelineHealth', () => {
  it('is ready exactly when every runtime runs and no exporter failed its last N attempts; live unless one failed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...STATES), { maxLength: 4 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.array(fc.boolean(), { maxLength: 12 }), { maxLength: 3 }),
        (states, n, outcomes) => {
          const health = new PipelineHealth(n, noFlush);
          states.forEach((state, i) => {
            health.track({ label: `runtime "r${i}"`, namespace: `r${i}`, state: () => state });
          });
          outcomes.forEach((sequence, i) => {
            const tally = health.exportStreak(`e${i}`);
            for (const ok of sequence) tally(ok);
          });
          const trailing = (sequence: boolean[]) => {
            let k = 0;
            while (k < sequence.length && sequence[sequence.length - 1 - k] === false) k++;
            return k;
          };
          const ready =
            states.every((s) => s === 'running') && outcomes.every((seq) => trailing(seq) < n);
          const live = !states.includes('failed');
          const readiness = health.readiness();
          expect(readiness.status).toBe(ready ? 'ok' : 'unavailable');
          expect(readiness.reasons.length === 0).toBe(ready);
          expect(health.liveness().status).toBe(live ? 'ok' : 'unavailable');
          expect(readiness.runtimes).toEqual(
            states.map((state, i) => ({ namespace: `r${i}`, state })),
          );
        },
      ),
    );
  });

  it('settles held work, including work held while it waits, and never rejects', async () => {
    const health = new PipelineHealth(3, noFlush);
    let releaseLate: () => void = () => {};
    let releaseFirst: () => void = () => {};
    health.hold(
      new Promise<void>((resolve) => {
        releaseFirst = resolve;
      }).then(() => {
        health.hold(
          new Promise<void>((resolve) => {
            releaseLate = resolve;
          }),
        );
      }),
    );
    health.hold(Promise.reject(new Error('a failed export')));
    let settled = false;
    const done = health.settled().then(() => {
      settled = true;
    });
    releaseFirst();
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    releaseLate();
    await done;
    expect(settled).toBe(true);
  });
});
