// The scheduler contract at its edges: a task that throws is reported and contained (visited
// again next turn by the immediate scheduler, tried twice then left by the sync one), a turn ends
// exactly when the budget is spent and the tasks not reached go first next turn, options and
// custom schedulers are checked at wiring time, and idle tasks run after their idle period.
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type MetricsError, MetricsWiringError } from '../errors/index.js';
import {
  createImmediateScheduler,
  createSyncScheduler,
  resolveScheduler,
  type SchedulerTask,
} from './scheduler.js';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

afterEach(() => {
  vi.useRealTimers();
});

/** A task that logs its drains under `name` and answers from `answers` (then `false`). */
function task(log: string[], name: string, answers: (boolean | Error)[] = []): SchedulerTask {
  return {
    drain() {
      log.push(name);
      const answer = answers.shift() ?? false;
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

describe('a task that throws', () => {
  it('immediate: reported as scheduler-task-failed with the cause, visited again next turn, the others drained', async () => {
    const errors: MetricsError[] = [];
    const scheduler = createImmediateScheduler({ onError: (e) => errors.push(e) });
    const log: string[] = [];
    const boom = new Error('boom');
    scheduler.schedule(task(log, 'a', [boom]));
    scheduler.schedule(task(log, 'b'));
    await turn();
    await turn();
    expect(log).toEqual(['a', 'b', 'a']);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.code).toBe('scheduler-task-failed');
    expect(errors[0]?.message).toBe('A scheduler task threw; the other tasks go on: boom');
    expect(errors[0]?.cause).toBe(boom);
  });

  it('immediate: without onError, or with one that throws, nothing escapes', async () => {
    for (const options of [
      {},
      {
        onError: () => {
          throw new Error('handler');
        },
      },
    ]) {
      const scheduler = createImmediateScheduler(options);
      const log: string[] = [];
      scheduler.schedule(task(log, 'a', [new Error('x')]));
      await turn();
      await turn();
      expect(log).toEqual(['a', 'a']);
    }
  });

  it('sync: tried twice on the caller stack, then left (each failure reported)', () => {
    const errors: MetricsError[] = [];
    const scheduler = createSyncScheduler({ onError: (e) => errors.push(e) });
    const log: string[] = [];
    const always = [new Error('1'), new Error('2'), new Error('3'), new Error('4')];
    expect(() => scheduler.schedule(task(log, 'a', always))).not.toThrow();
    expect(log).toEqual(['a', 'a']);
    expect(errors.map((e) => e.message)).toEqual([
      'A scheduler task threw; the other tasks go on: 1',
      'A scheduler task threw; the other tasks go on: 2',
    ]);
    expect(scheduler.stats()).toEqual({ turns: 1, visits: 2 });
    // One failure, then done: drained again once.
    const again: string[] = [];
    scheduler.schedule(task(again, 'b', [new Error('once'), false]));
    expect(again).toEqual(['b', 'b']);
  });
});

describe('the immediate scheduler budget', () => {
  it('a turn ends when the clock reaches the deadline; the tasks not reached go first next turn', async () => {
    let now = 0;
    const scheduler = createImmediateScheduler({ budgetMs: 10, clock: () => now });
    const log: string[] = [];
    const deadlines: number[] = [];
    const spender: SchedulerTask = {
      drain(deadline) {
        log.push('a');
        deadlines.push(deadline);
        now = deadline; // spends the whole budget, exactly
        return log.length < 2;
      },
    };
    scheduler.schedule(spender);
    scheduler.schedule(task(log, 'b'));
    scheduler.schedule(task(log, 'c'));
    await turn();
    expect(log).toEqual(['a']);
    await turn();
    expect(log).toEqual(['a', 'b', 'c', 'a']);
    expect(deadlines).toEqual([10, 20]);
    expect(scheduler.stats()).toEqual({ turns: 2, visits: 4 });
  });

  it('a clock that throws after wiring ends the turn instead of the process', async () => {
    let reads = 0;
    const scheduler = createImmediateScheduler({
      clock: () => {
        if (++reads > 1) throw new Error('clock gone');
        return 0;
      },
    });
    const log: string[] = [];
    scheduler.schedule(task(log, 'a'));
    scheduler.schedule(task(log, 'b'));
    await turn();
    expect(log).toEqual(['a']);
    await turn();
    expect(log).toEqual(['a', 'b']);
  });

  it('the default clock gives each turn a finite deadline at most budgetMs ahead', async () => {
    const scheduler = createImmediateScheduler({ budgetMs: 7 });
    let seen = Number.NaN;
    let at = Number.NaN;
    scheduler.schedule({
      drain(deadline) {
        seen = deadline;
        at = performance.now();
        return false;
      },
    });
    await turn();
    expect(Number.isFinite(seen)).toBe(true);
    expect(seen - at).toBeLessThanOrEqual(7);
  });
});

describe('wiring', () => {
  it('options are checked, naming the scheduler', () => {
    const cases: [() => unknown, string][] = [
      [
        () => createImmediateScheduler(5 as never),
        'createImmediateScheduler: options must be an object, got 5.',
      ],
      [
        () => createImmediateScheduler({ budgetMs: 0 }),
        'createImmediateScheduler: option `budgetMs` must be a finite number above 0, got 0.',
      ],
      [
        () => createImmediateScheduler({ clock: 'now' as never }),
        'createImmediateScheduler: option `clock` must be a function, got "now".',
      ],
      [
        () => createImmediateScheduler({ onError: 1 as never }),
        'createImmediateScheduler: option `onError` must be a function, got 1.',
      ],
      [
        () => createSyncScheduler('x' as never),
        'createSyncScheduler: options must be an object, got "x".',
      ],
      [
        () => createSyncScheduler({ onError: 1 as never }),
        'createSyncScheduler: option `onError` must be a function, got 1.',
      ],
    ];
    for (const [create, message] of cases) {
      expect(create).toThrow(MetricsWiringError);
      expect(create).toThrow(message);
    }
  });

  it('a custom scheduler needs schedule() and stats(); anything else is refused, naming the owner', () => {
    const custom = { schedule() {}, stats: () => ({ turns: 0, visits: 0 }) };
    expect(resolveScheduler(custom, undefined, undefined, 'Recorder "r"')).toBe(custom);
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    for (const option of [
      null,
      5,
      'later',
      { schedule() {} },
      { stats() {} },
      { schedule: 1, stats() {} },
      () => {},
      proxy,
    ]) {
      const resolve = () => resolveScheduler(option as never, undefined, undefined, 'Recorder "r"');
      expect(resolve).toThrow(MetricsWiringError);
      expect(resolve).toThrow(expect.objectContaining({ code: 'invalid-option' }));
      expect(resolve).toThrow(
        /^Recorder "r": scheduler must be 'immediate', 'sync' or an object with schedule\(task\) and stats\(\), got /,
      );
    }
  });

  it("the named schedulers get the owner's onError and clock", async () => {
    for (const name of ['sync', 'immediate', undefined] as const) {
      const errors: MetricsError[] = [];
      const scheduler = resolveScheduler(
        name,
        () => 100,
        (e) => errors.push(e),
        'Runtime',
      );
      const deadlines: number[] = [];
      scheduler.schedule({
        drain(deadline) {
          deadlines.push(deadline);
          throw new Error('bad');
        },
      });
      await turn();
      expect(errors.length, String(name)).toBeGreaterThan(0);
      if (name !== 'sync') expect(deadlines[0]).toBe(104);
    }
  });
});

describe('idle tasks', () => {
  it('run once after 5 s idle; adding a task again restarts its period', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let now = 0;
    // The sync scheduler reads performance.now(); the immediate one its clock option.
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => now);
    try {
      for (const scheduler of [
        createSyncScheduler(),
        createImmediateScheduler({ clock: () => now }),
      ]) {
        let idled = 0;
        const idle = { idle: () => idled++ };
        const advance = (ms: number) => {
          now += ms;
          vi.advanceTimersByTime(ms);
        };
        scheduler.scheduleIdle?.(idle);
        advance(3_000);
        scheduler.scheduleIdle?.(idle);
        advance(2_500);
        expect(idled).toBe(0);
        advance(5_000);
        expect(idled).toBe(1);
        advance(20_000);
        expect(idled).toBe(1);
      }
    } finally {
      clock.mockRestore();
    }
  });
});
