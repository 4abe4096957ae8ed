import { describe, expect, it } from 'vitest';
import { IdleSweeper } from './idle-sweeper.js';

function manualClock() {
  let now = 0;
  const advance = (ms: number) => {
    now += ms;
  };
  return { clock: () => now, advance };
}

function task() {
  const calls = { n: 0 };
  return { calls, idle: () => void calls.n++ };
}

describe('IdleSweeper', () => {
  it('runs a task once it has stayed idle for the whole period, and only once', () => {
    const { clock, advance } = manualClock();
    const sweeper = new IdleSweeper(clock, 1000);
    const t = task();
    sweeper.add(t);
    advance(999);
    sweeper.sweep();
    expect(t.calls.n).toBe(0);
    advance(1);
    sweeper.sweep();
    expect(t.calls.n).toBe(1);
    advance(5000);
    sweeper.sweep();
    expect(t.calls.n).toBe(1);
    expect(sweeper.size).toBe(0);
  });

  it('restarts the period of a task added again (a burst recurred)', () => {
    const { clock, advance } = manualClock();
    const sweeper = new IdleSweeper(clock, 1000);
    const early = task();
    const again = task();
    sweeper.add(again);
    advance(400);
    sweeper.add(early);
    advance(400);
    sweeper.add(again);
    advance(600);
    sweeper.sweep();
    expect([early.calls.n, again.calls.n]).toEqual([1, 0]);
    advance(400);
    sweeper.sweep();
    expect([early.calls.n, again.calls.n]).toEqual([1, 1]);
  });

  it('contains a task that throws and goes on with the others', () => {
    const { clock, advance } = manualClock();
    const sweeper = new IdleSweeper(clock, 10);
    const good = task();
    sweeper.add({
      idle: () => {
        throw new Error('boom');
      },
    });
    sweeper.add(good);
    advance(10);
    expect(() => sweeper.sweep()).not.toThrow();
    expect(good.calls.n).toBe(1);
  });

  it('wakes itself on an unref()d timer, armed only while a task waits', async () => {
    const sweeper = new IdleSweeper(() => performance.now(), 5);
    const internals = sweeper as unknown as { timer: NodeJS.Timeout | undefined };
    expect(internals.timer).toBeUndefined();
    const t = task();
    sweeper.add(t);
    expect(internals.timer?.hasRef()).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(t.calls.n).toBe(1);
    expect(internals.timer).toBeUndefined();
  });
});
