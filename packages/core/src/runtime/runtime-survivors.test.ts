// A runtime over a scheduler of the user's own, where the runtime's watch around it decides what
// the user sees: whether a scheduler without an idle timer is asked for one more visit after a
// burst, and the words of a drain cut short with nothing left to discard. Killed mutation
// survivors of core runtime (docs/reliability.md).
import { describe, expect, it } from 'vitest';
import type { MetricsError } from '../errors/index.js';
import { counter } from '../metrics/index.js';
import type { Scheduler, SchedulerTask } from '../scheduler/scheduler.js';
import { MetricsRuntime } from './metrics-runtime.js';
import { discardLeftovers, drainWithin } from './shutdown-drain.js';

const saves = () => [counter({ name: 'saves', on: 'save' })];

describe('a runtime over a scheduler without scheduleIdle', () => {
  it('gives a burst-grown buffer back through one more visit of that scheduler, as its contract says', () => {
    const tasks: SchedulerTask[] = [];
    const scheduler: Scheduler = {
      schedule: (task) => {
        tasks.push(task);
      },
      stats: () => ({ turns: 0, visits: 0 }),
    };
    const rt = new MetricsRuntime({ namespace: 'test', scheduler, onError: () => {} });
    const recorder = rt.createRecorder('storage', { metrics: saves(), maxPendingEvents: 100_000 });
    rt.start();
    // A burst that grows the buffer's ring past what is worth giving back (4 096 slots).
    for (let i = 0; i < 10_000; i++) recorder.registerEvent({ type: 'save' });
    expect(tasks).toHaveLength(1);
    const task = tasks[0] as SchedulerTask;
    // The visit that empties the grown buffer asks for one more (no idle timer to ask instead)...
    expect(task.drain(Number.POSITIVE_INFINITY)).toBe(true);
    expect(recorder.stats()).toMatchObject({ processed: 10_000, pending: 0 });
    // ...which finds nothing, gives the ring back and is the last.
    expect(task.drain(Number.POSITIVE_INFINITY)).toBe(false);
    // The next burst asks the scheduler again: the task was released.
    recorder.registerEvent({ type: 'save' });
    expect(tasks).toHaveLength(2);
  });
});

describe('a drain cut short with nothing left', () => {
  it('says that nothing was left to discard because every event was processed', async () => {
    let calls = 0;
    const scheduler: Scheduler = {
      schedule(task) {
        calls++;
        if (calls === 1) throw new Error('not yet');
        // Asked again by the shutdown's drain: processes everything, then throws anyway.
        while (task.drain(Number.POSITIVE_INFINITY)) {
          /* until empty */
        }
        throw new Error('scheduler is gone');
      },
      stats: () => ({ turns: 0, visits: 0 }),
    };
    const errors: MetricsError[] = [];
    const rt = new MetricsRuntime({ namespace: 'test', scheduler, onError: (e) => errors.push(e) });
    const recorder = rt.createRecorder('storage', { metrics: saves() });
    rt.start();
    recorder.registerEvent({ type: 'save' });
    expect(recorder.stats().pending).toBe(1);
    await rt.shutdown({ timeoutMs: 600_000 });
    expect(rt.state).toBe('failed');
    expect(recorder.stats()).toMatchObject({ processed: 1, pending: 0, dropped: 0 });
    const report = errors.find((e) => e.code === 'shutdown-timeout');
    expect(report?.message).toBe(
      'Runtime "test" could not drain: its scheduler threw from schedule() (scheduler is gone): no pending event was left to discard (every event was processed). The runtime is \'failed\'. Raise shutdown({ timeoutMs }), make the slow metrics cheaper, or fix the scheduler.',
    );
  });

  it('after a timeout, says that a recorder never finished stopping', async () => {
    const givenUp = await drainWithin(new Promise(() => {}), 1, new Promise(() => {}));
    expect(givenUp).toBeDefined();
    if (givenUp === undefined) return;
    expect(discardLeftovers('app', [], givenUp).message).toBe(
      'Runtime "app" could not drain within 1 ms: no pending event was left to discard (a recorder never finished stopping). The runtime is \'failed\'. Raise shutdown({ timeoutMs }), make the slow metrics cheaper, or fix the scheduler.',
    );
  });
});
