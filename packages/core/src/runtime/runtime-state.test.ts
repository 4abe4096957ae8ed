import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { type MetricsError, MetricsWiringError } from '../errors/index.js';
import { counter } from '../metrics/index.js';
import type { Metric } from '../metrics/types.js';
import type { MetricsRecorder } from '../recorder/index.js';
import type { Scheduler, SchedulerTask } from '../scheduler/index.js';
import { pointValue } from '../testing/index.js';
import { MetricsRuntime, type MetricsRuntimeOptions, type RuntimeState } from './index.js';

const runtimes: MetricsRuntime[] = [];
function runtime(options: Partial<MetricsRuntimeOptions> = {}) {
  const errors: MetricsError[] = [];
  const rt = new MetricsRuntime({ namespace: 'docs', onError: (e) => errors.push(e), ...options });
  const seen: Array<[RuntimeState, RuntimeState]> = [];
  rt.onStateChange((state, previous) => seen.push([state, previous]));
  runtimes.push(rt);
  return Object.assign(rt, { errors, seen });
}
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((rt) => rt.shutdown({ timeoutMs: 1_000 })));
});

const saves = () => [counter({ name: 'saves', on: 'save' })];

/** A scheduler that runs its tasks only when the test says so (or never). */
function manualScheduler() {
  const tasks = new Set<SchedulerTask>();
  const scheduler: Scheduler & { runOnce(): void; tasks: Set<SchedulerTask> } = {
    tasks,
    schedule: (task) => {
      tasks.add(task);
    },
    stats: () => ({ turns: 0, visits: 0 }),
    runOnce() {
      for (const task of [...tasks]) if (!task.drain(Number.NEGATIVE_INFINITY)) tasks.delete(task);
    },
  };
  return scheduler;
}

function conserved(recorder: MetricsRecorder): boolean {
  const s = recorder.stats();
  return s.registered === s.processed + s.dropped + s.pending;
}

describe('runtime lifecycle states', () => {
  it('is initializing after construction, running after start(), draining while shutdown() drains, drained after', async () => {
    const rt = runtime();
    expect(rt.state).toBe('initializing');
    rt.start();
    expect(rt.state).toBe('running');
    const recorder = rt.createRecorder('storage', { metrics: saves() });
    for (let i = 0; i < 10; i++) recorder.registerEvent({ type: 'save' });
    const done = rt.shutdown();
    expect(rt.state).toBe('draining');
    await done;
    expect(rt.state).toBe('drained');
    expect(pointValue(recorder, 'saves')).toBe(10);
    expect(rt.seen).toEqual([
      ['running', 'initializing'],
      ['draining', 'running'],
      ['drained', 'draining'],
    ]);
  });

  it('goes initializing → draining → drained when shut down without ever starting', async () => {
    const rt = runtime();
    const recorder = rt.createRecorder('storage', { metrics: saves() });
    recorder.registerEvent({ type: 'save' });
    await rt.shutdown();
    expect(rt.seen).toEqual([
      ['draining', 'initializing'],
      ['drained', 'draining'],
    ]);
    expect(pointValue(recorder, 'saves')).toBe(1);
  });

  it('ignores start() after shutdown and a second start() or shutdown(): no transition twice', async () => {
    const rt = runtime();
    rt.start();
    rt.start();
    const first = rt.shutdown();
    rt.start();
    expect(rt.shutdown({ timeoutMs: 5 })).toBe(first);
    await first;
    rt.start();
    await rt.shutdown();
    expect(rt.state).toBe('drained');
    expect(rt.seen.map(([state]) => state)).toEqual(['running', 'draining', 'drained']);
  });

  it('tells running listeners only once every recorder processes', () => {
    const rt = runtime({ scheduler: 'sync' });
    const recorder = rt.createRecorder('storage', { metrics: saves() });
    const seenByListener: string[] = [];
    rt.onStateChange((state) => {
      seenByListener.push(`${state}:${recorder.state}`);
      if (state === 'running') recorder.registerEvent({ type: 'save' });
    });
    rt.start();
    expect(seenByListener).toEqual(['running:running']);
    expect(pointValue(recorder, 'saves')).toBe(1);
  });

  it('calls listeners in subscription order and stops calling one after it unsubscribes', async () => {
    const rt = runtime();
    const calls: string[] = [];
    rt.onStateChange((state) => calls.push(`a:${state}`));
    const offB = rt.onStateChange((state) => {
      calls.push(`b:${state}`);
      if (state === 'draining') offB();
    });
    rt.onStateChange((state) => calls.push(`c:${state}`));
    rt.start();
    await rt.shutdown();
    expect(calls).toEqual([
      'a:running',
      'b:running',
      'c:running',
      'a:draining',
      'b:draining',
      'c:draining',
      'a:drained',
      'c:drained',
    ]);
  });

  it('delivers a transition a listener causes after the current one reached every listener', async () => {
    const rt = runtime();
    const calls: string[] = [];
    rt.onStateChange((state) => {
      calls.push(`first:${state}`);
      if (state === 'running') void rt.shutdown();
    });
    rt.onStateChange((state, previous) => calls.push(`second:${previous}→${state}`));
    rt.start();
    expect(calls).toEqual([
      'first:running',
      'second:initializing→running',
      'first:draining',
      'second:running→draining',
    ]);
    await rt.shutdown();
    expect(rt.state).toBe('drained');
  });

  it('contains a throwing listener, reports it, and still calls the others and drains', async () => {
    const rt = runtime();
    const after: RuntimeState[] = [];
    rt.onStateChange(() => {
      throw new Error('listener broke');
    });
    rt.onStateChange((state) => after.push(state));
    rt.start();
    await rt.shutdown();
    expect(after).toEqual(['running', 'draining', 'drained']);
    const failed = rt.errors.filter((e) => e.code === 'listener-failed');
    expect(failed).toHaveLength(3);
    expect(failed[0]?.message).toMatch(
      /onStateChange listener of runtime "docs" threw on initializing → running: .*listener broke/,
    );
    expect(rt.state).toBe('drained');
  });

  it('refuses a listener that is not a function at wiring time', () => {
    const rt = runtime();
    expect(() => rt.onStateChange('nope' as never)).toThrow(MetricsWiringError);
  });

  it('rejects a shutdown timeout that is not a positive number, before changing state', () => {
    const rt = runtime();
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double({ max: 0 }),
          fc.constant(Number.NaN),
          fc.string(),
          fc.constant(null),
          fc.object(),
        ),
        (timeoutMs) => {
          expect(() => rt.shutdown({ timeoutMs } as never)).toThrow(MetricsWiringError);
          expect(rt.state).toBe('initializing');
        },
      ),
    );
  });
});

describe('runtime that cannot drain in time', () => {
  it('ends failed, counts the pending events as dropped and resolves when the scheduler never runs', async () => {
    const scheduler = manualScheduler();
    const rt = runtime({ scheduler });
    rt.start();
    const a = rt.createRecorder('a', { metrics: saves() });
    const b = rt.createRecorder('b', { metrics: saves() });
    for (let i = 0; i < 7; i++) a.registerEvent({ type: 'save' });
    for (let i = 0; i < 3; i++) b.registerEvent({ type: 'save' });
    await rt.shutdown({ timeoutMs: 20 });
    expect(rt.state).toBe('failed');
    expect(rt.seen.map(([s]) => s)).toEqual(['running', 'draining', 'failed']);
    expect(a.stats()).toMatchObject({ registered: 7, processed: 0, dropped: 7, pending: 0 });
    expect(b.stats()).toMatchObject({ registered: 3, processed: 0, dropped: 3, pending: 0 });
    expect([a.state, b.state]).toEqual(['stopped', 'stopped']);
    const timeout = rt.errors.find((e) => e.code === 'shutdown-timeout');
    expect(timeout?.message).toMatch(
      /could not drain within 20 ms: 10 pending events were discarded \("a": 7, "b": 3\)/,
    );
    // The scheduler's late visit finds nothing: nothing is processed after the runtime failed.
    scheduler.runOnce();
    expect(a.stats().processed).toBe(0);
    expect(a.stats().registered).toBe(7);
  });

  it('ends failed behind a metric that blocks each event, with what it processed kept', async () => {
    const slow: Metric = {
      name: 'slow',
      handleEvent() {
        const until = performance.now() + 2;
        while (performance.now() < until) {
          /* a metric that blocks */
        }
        return true;
      },
      snapshot: () => ({ name: 'slow', kind: 'gauge', points: [] }) as never,
    };
    const rt = runtime();
    rt.start();
    const recorder = rt.createRecorder('slow', { metrics: [slow] });
    // 20 s of work at 2 ms per event against a 30 ms budget.
    for (let i = 0; i < 10_000; i++) recorder.registerEvent({ type: 'save' });
    await rt.shutdown({ timeoutMs: 30 });
    expect(rt.state).toBe('failed');
    const stats = recorder.stats();
    expect(stats.pending).toBe(0);
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.processed + stats.dropped).toBe(10_000);
    const message = rt.errors.find((e) => e.code === 'shutdown-timeout')?.message ?? '';
    expect(message).toContain(`${stats.dropped} pending events were discarded`);
  });

  it('fails at once, without waiting for the deadline, when its scheduler throws while draining', async () => {
    let broken = false;
    const tasks: SchedulerTask[] = [];
    const scheduler: Scheduler = {
      schedule(task) {
        if (broken) throw new Error('scheduler is gone');
        tasks.push(task);
      },
      stats: () => ({ turns: 0, visits: 0 }),
    };
    const rt = runtime({ scheduler });
    rt.start();
    const recorder = rt.createRecorder('storage', { metrics: saves() });
    recorder.registerEvent({ type: 'save' });
    for (const task of tasks.splice(0)) task.drain(Number.POSITIVE_INFINITY);
    broken = true; // from now on every schedule() throws: these 4 stay pending
    for (let i = 0; i < 4; i++) recorder.registerEvent({ type: 'save' });
    expect(rt.state).toBe('running');
    await rt.shutdown({ timeoutMs: 600_000 }); // resolves long before: the test would time out
    expect(rt.state).toBe('failed');
    expect(recorder.stats()).toMatchObject({ processed: 1, dropped: 4, pending: 0 });
    const report = rt.errors.find((e) => e.code === 'shutdown-timeout');
    expect(report?.message).toMatch(
      /could not drain: its scheduler threw from schedule\(\) \(.*scheduler is gone\): 4 pending events were discarded/,
    );
  });

  it('keeps running when its own scheduler throws while running: the next registerEvent asks again', () => {
    let broken = true;
    const scheduler: Scheduler & { tasks: SchedulerTask[] } = {
      tasks: [],
      schedule(task) {
        if (broken) throw new Error('not now');
        this.tasks.push(task);
      },
      stats: () => ({ turns: 0, visits: 0 }),
    };
    const rt = runtime({ scheduler });
    rt.start();
    const recorder = rt.createRecorder('storage', { metrics: saves() });
    recorder.registerEvent({ type: 'save' });
    expect(rt.state).toBe('running');
    broken = false;
    recorder.registerEvent({ type: 'save' });
    for (const task of scheduler.tasks) task.drain(Number.POSITIVE_INFINITY);
    expect(pointValue(recorder, 'saves')).toBe(2);
    expect(rt.state).toBe('running');
  });

  it('drains a queue that keeps refilling itself: the refills after shutdown() are rejected, not queued', async () => {
    const rt = runtime();
    rt.start();
    const recorder = rt.createRecorder('echo', { metrics: saves() });
    // Every processed event registers another: the queue never empties while running.
    recorder.onChange((change) => change.recorder.registerEvent({ type: 'save' }));
    recorder.registerEvent({ type: 'save' });
    await new Promise((resolve) => setImmediate(resolve));
    await rt.shutdown({ timeoutMs: 5_000 });
    expect(rt.state).toBe('drained');
    const stats = recorder.stats();
    expect(stats.pending).toBe(0);
    expect(stats.rejected).toBeGreaterThanOrEqual(1);
    expect(conserved(recorder)).toBe(true);
  });

  it('keeps registered = processed + dropped + pending and names exactly what was lost, whatever the drain managed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat({ max: 40 }), { minLength: 1, maxLength: 4 }),
        fc.nat({ max: 3 }),
        async (perRecorder, visits) => {
          const scheduler = manualScheduler();
          const errors: MetricsError[] = [];
          const rt = new MetricsRuntime({
            namespace: 'prop',
            scheduler,
            maxPendingEvents: 32,
            onError: (e) => errors.push(e),
          });
          rt.start();
          const recorders = perRecorder.map((n, i) => {
            const r = rt.createRecorder(`r${i}`, { metrics: saves() });
            for (let k = 0; k < n; k++) r.registerEvent({ type: 'save' });
            return r;
          });
          const done = rt.shutdown({ timeoutMs: 5 });
          for (let v = 0; v < visits; v++) scheduler.runOnce();
          const pendingBefore = recorders.reduce((sum, r) => sum + r.stats().pending, 0);
          const droppedBefore = recorders.reduce((sum, r) => sum + r.stats().dropped, 0);
          await done;
          for (const r of recorders) {
            expect(conserved(r)).toBe(true);
            expect(r.stats().pending).toBe(0);
          }
          const droppedAfter = recorders.reduce((sum, r) => sum + r.stats().dropped, 0);
          expect(droppedAfter - droppedBefore).toBe(pendingBefore);
          expect(rt.state).toBe(pendingBefore === 0 ? 'drained' : 'failed');
          const timeout = errors.filter((e) => e.code === 'shutdown-timeout');
          expect(timeout.length).toBe(pendingBefore === 0 ? 0 : 1);
          if (pendingBefore > 0)
            expect(timeout[0]?.message).toContain(`${pendingBefore} pending events`);
        },
      ),
      { numRuns: 60 },
    );
  });
});
