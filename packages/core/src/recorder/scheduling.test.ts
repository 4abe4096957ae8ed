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

  it('reads its clock for a deadline only: processPending() (no deadline) never does, a timed drain every 128 events', () => {
    // A clock read allocates in Node (performance.now() returns a new heap number): the path
    // without a deadline reads none, so it allocates nothing per event.
    const manual = manualScheduler();
    let reads = 0;
    const recorder = new MetricsRecorder('r', {
      metrics: [counter({ name: 'c', on: 'e' })],
      scheduler: manual.scheduler,
      clock: () => {
        reads++;
        return 0;
      },
    });
    recorder.start();
    for (let i = 0; i < 1000; i++) recorder.registerEvent({ type: 'e' });
    const before = reads;
    recorder.processPending();
    expect(reads).toBe(before);
    for (let i = 0; i < 1000; i++) recorder.registerEvent({ type: 'e' });
    for (const task of manual.ready.splice(0)) task.drain(1);
    expect(reads - before).toBe(Math.floor(1000 / 128));
    expect(pointValue(recorder, 'c')).toBe(2000);
  });
});
