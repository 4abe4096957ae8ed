import { describe, expect, it } from 'vitest';
import type { Metric } from '../metrics/index.js';
import type { IdleTask, Scheduler, SchedulerTask } from '../scheduler/index.js';
import { MetricsRecorder } from './index.js';

// A scheduler driven by the test: drains on demand and hands over the idle task it is given.
function manualScheduler(withIdle: boolean) {
  const ready: SchedulerTask[] = [];
  const idle: IdleTask[] = [];
  const scheduler: Scheduler = {
    schedule: (task) => void ready.push(task),
    stats: () => ({ turns: 0, visits: 0 }),
    ...(withIdle ? { scheduleIdle: (task: IdleTask) => void idle.push(task) } : {}),
  };
  const visit = () => {
    const tasks = ready.splice(0);
    for (const task of tasks) if (task.drain(Number.POSITIVE_INFINITY)) ready.push(task);
  };
  return { scheduler, idle, visit };
}

const counting: () => Metric = () => ({
  name: 'seen',
  handleEvent: () => true,
  snapshot: () => ({ name: 'seen', kind: 'counter', points: [] }),
});

// The ring is private; these tests look at it to show what a burst costs in allocations.
const ringOf = (recorder: MetricsRecorder) =>
  (recorder as unknown as { queue: { items: unknown[]; size: number } }).queue;

function burst(recorder: MetricsRecorder, n: number) {
  for (let i = 0; i < n; i++) recorder.registerEvent({ i });
}

describe('the buffer grown by a burst', () => {
  it('is kept while bursts recur: the next burst reuses the same ring', () => {
    const { scheduler, idle, visit } = manualScheduler(true);
    const recorder = new MetricsRecorder('bursty', { metrics: [counting()], scheduler });
    recorder.start();
    burst(recorder, 10_000);
    visit();
    const grown = ringOf(recorder).items;
    expect(grown.length).toBe(16_384);
    expect(idle).toHaveLength(1);
    visit(); // an idle visit gives nothing back
    burst(recorder, 10_000);
    expect(ringOf(recorder).items).toBe(grown);
    visit();
    expect(recorder.stats()).toMatchObject({ registered: 20_000, processed: 20_000, pending: 0 });
  });

  it('is given back when the idle period ends, unless events are pending again', () => {
    const { scheduler, idle, visit } = manualScheduler(true);
    const recorder = new MetricsRecorder('bursty', { metrics: [counting()], scheduler });
    recorder.start();
    burst(recorder, 10_000);
    visit();
    burst(recorder, 5);
    idle[0]?.idle(); // a burst is under way: nothing is given back
    expect(ringOf(recorder).items.length).toBe(16_384);
    visit();
    expect(idle).toHaveLength(2);
    idle[1]?.idle();
    expect(ringOf(recorder).items.length).toBe(16);
    burst(recorder, 10_000);
    visit();
    expect(recorder.stats()).toMatchObject({ registered: 20_005, processed: 20_005, pending: 0 });
  });

  it('is given back after one empty visit by a scheduler without scheduleIdle', () => {
    const { scheduler, visit } = manualScheduler(false);
    const recorder = new MetricsRecorder('bursty', { metrics: [counting()], scheduler });
    recorder.start();
    burst(recorder, 10_000);
    visit();
    expect(ringOf(recorder).items.length).toBe(16_384);
    visit();
    expect(ringOf(recorder).items.length).toBe(16);
  });

  it('stays small for a recorder that never bursts: no idle task at all', () => {
    const { scheduler, idle, visit } = manualScheduler(true);
    const recorder = new MetricsRecorder('calm', { metrics: [counting()], scheduler });
    recorder.start();
    for (let round = 0; round < 10; round++) {
      burst(recorder, 100);
      visit();
    }
    expect(idle).toHaveLength(0);
    expect(ringOf(recorder).items.length).toBe(128);
  });
});
