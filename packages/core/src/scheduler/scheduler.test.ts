import { afterEach, describe, expect, it } from 'vitest';
import { counter, type Metric } from '../metrics/index.js';
import { MetricsRuntime } from '../runtime/index.js';
import { pointValue } from '../testing/index.js';
import { createImmediateScheduler, createSyncScheduler } from './index.js';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A clock that moves 1 ms each time it is read: time only passes when the library looks. */
function steppingClock() {
  let now = 0;
  return () => ++now;
}

const runtimes: MetricsRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((rt) => rt.shutdown()));
});

describe('immediate scheduler', () => {
  it('splits a burst across several event-loop turns when the time budget runs out', async () => {
    const clock = steppingClock();
    const scheduler = createImmediateScheduler({ budgetMs: 4, clock });
    const rt = new MetricsRuntime({ namespace: 'burst', scheduler, clock });
    runtimes.push(rt);
    rt.start();
    const recorder = rt.createRecorder('r', { metrics: [counter({ name: 'c', on: 'e' })] });
    for (let i = 0; i < 10_000; i++) recorder.registerEvent({ type: 'e' });
    await turn();
    const afterOneTurn = recorder.stats().processed;
    expect(afterOneTurn).toBeGreaterThan(0);
    expect(afterOneTurn).toBeLessThan(10_000);
    expect(scheduler.stats().turns).toBe(1);
    await recorder.flush();
    expect(pointValue(recorder, 'c')).toBe(10_000);
    expect(scheduler.stats().turns).toBeGreaterThan(5);
  });

  it('moves on to other recorders when one exhausts the budget, so none starves', async () => {
    const clock = steppingClock();
    const scheduler = createImmediateScheduler({ budgetMs: 2, clock });
    const rt = new MetricsRuntime({ namespace: 'fair', scheduler, clock });
    runtimes.push(rt);
    rt.start();
    const big = rt.createRecorder('big', { metrics: [counter({ name: 'c', on: 'e' })] });
    const small = rt.createRecorder('small', { metrics: [counter({ name: 'c', on: 'e' })] });
    for (let i = 0; i < 5000; i++) big.registerEvent({ type: 'e' });
    small.registerEvent({ type: 'e' });
    await turn();
    await turn();
    expect(small.stats().processed).toBe(1);
    expect(big.stats().processed).toBeLessThan(5000);
    await big.flush();
    expect(big.stats().processed).toBe(5000);
  });

  it('visits only recorders with pending events', async () => {
    // A frozen clock: the budget never runs out, so the turn count is exact.
    const scheduler = createImmediateScheduler({ clock: () => 0 });
    const rt = new MetricsRuntime({ namespace: 'idle', scheduler });
    runtimes.push(rt);
    rt.start();
    const recorders = Array.from({ length: 50 }, (_, i) => rt.createRecorder(`r${i}`));
    recorders[3]?.registerEvent({ type: 'e' });
    recorders[3]?.registerEvent({ type: 'e' });
    recorders[7]?.registerEvent({ type: 'e' });
    await Promise.all(recorders.map((r) => r.flush()));
    expect(scheduler.stats()).toEqual({ turns: 1, visits: 2 });
  });
});

describe('sync scheduler', () => {
  it('processes inside registerEvent for every recorder of a runtime', () => {
    const rt = new MetricsRuntime({ namespace: 'sync', scheduler: 'sync' });
    runtimes.push(rt);
    rt.start();
    const recorder = rt.createRecorder('r', { metrics: [counter({ name: 'c', on: 'e' })] });
    recorder.registerEvent({ type: 'e' });
    expect(pointValue(recorder, 'c')).toBe(1);
    expect(rt.scheduler.stats()).toEqual({ turns: 1, visits: 1 });
  });

  it('can be shared by passing the instance', () => {
    const scheduler = createSyncScheduler();
    const seen: string[] = [];
    const metric = (name: string): Metric => ({
      name,
      handleEvent: () => {
        seen.push(name);
        return true;
      },
      snapshot: () => ({ name, kind: 'custom', points: [] }),
    });
    const rt = new MetricsRuntime({ namespace: 'sync', scheduler });
    runtimes.push(rt);
    rt.start();
    rt.createRecorder('a', { metrics: [metric('a')] }).registerEvent({});
    rt.createRecorder('b', { metrics: [metric('b')] }).registerEvent({});
    expect(seen).toEqual(['a', 'b']);
    expect(scheduler.stats().visits).toBe(2);
  });
});
