import { describe, expect, it } from 'vitest';
import { counter } from '../metrics/index.js';
import type { Scheduler, SchedulerTask } from '../scheduler/scheduler.js';
import { pointValue } from '../testing/index.js';
import { MetricsRecorder } from './index.js';

// A scheduler that runs nothing by itself and records the Scheduler contract: a task is scheduled
// at most once until one of its drains returns false.
function manualScheduler() {
  const ready: SchedulerTask[] = [];
  const doubleSchedules: SchedulerTask[] = [];
  const scheduler: Scheduler = {
    schedule(task) {
      if (ready.includes(task)) doubleSchedules.push(task);
      ready.push(task);
    },
    stats: () => ({ turns: 0, visits: 0 }),
  };
  const runTurn = () => {
    for (const task of ready.splice(0)) if (task.drain(Number.POSITIVE_INFINITY)) ready.push(task);
  };
  return { scheduler, ready, doubleSchedules, runTurn };
}

describe('recorder scheduling', () => {
  it('never schedules its task twice when processPending() drained it while it was queued', () => {
    const manual = manualScheduler();
    const recorder = new MetricsRecorder('r', {
      metrics: [counter({ name: 'c', on: 'e' })],
      scheduler: manual.scheduler,
    });
    recorder.start();
    recorder.registerEvent({ type: 'e' });
    expect(manual.ready).toHaveLength(1);
    recorder.processPending();
    recorder.registerEvent({ type: 'e' });
    recorder.processPending();
    recorder.registerEvent({ type: 'e' });
    expect(manual.doubleSchedules).toEqual([]);
    manual.runTurn();
    expect(manual.ready).toHaveLength(0);
    recorder.registerEvent({ type: 'e' });
    expect(manual.ready).toHaveLength(1);
    manual.runTurn();
    expect(manual.doubleSchedules).toEqual([]);
    expect(pointValue(recorder, 'c')).toBe(4);
    expect(recorder.stats()).toMatchObject({ registered: 4, processed: 4, pending: 0 });
  });
});
