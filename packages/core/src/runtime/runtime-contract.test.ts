// The runtime's wiring and lifecycle at their edges, as a user meets them: every wiring error
// with its code and its words, the buffer defaults a runtime hands its recorders, listeners that
// refuse or fail, removal raced with itself, a shutdown before start() or while draining.
import { afterEach, describe, expect, it } from 'vitest';
import { type MetricsError, MetricsWiringError } from '../errors/index.js';
import { counter, gauge } from '../metrics/index.js';
import type { IdleTask, SchedulerTask } from '../scheduler/scheduler.js';
import { pointValue } from '../testing/index.js';
import { MetricsRuntime, type MetricsRuntimeOptions } from './index.js';

const runtimes: MetricsRuntime[] = [];
function runtime(options: Partial<MetricsRuntimeOptions> = {}) {
  const errors: MetricsError[] = [];
  const rt = new MetricsRuntime({ namespace: 'app', onError: (e) => errors.push(e), ...options });
  runtimes.push(rt);
  return Object.assign(rt, { errors });
}
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((rt) => rt.shutdown()));
});

const saves = () => [counter({ name: 'saves', on: 'save' })];

/** What `fn` throws (it must throw). */
function thrown(fn: () => unknown): MetricsWiringError {
  try {
    fn();
  } catch (error) {
    return error as MetricsWiringError;
  }
  throw new Error('expected a throw');
}

describe('MetricsRuntime wiring errors: code and words', () => {
  it('options that are not an object, and a bad namespace, name MetricsRuntime', () => {
    const notObject = thrown(() => new MetricsRuntime(5 as never));
    expect(notObject).toBeInstanceOf(MetricsWiringError);
    expect(notObject.message).toMatch(/^MetricsRuntime/);
    const badName = thrown(() => new MetricsRuntime({ namespace: 7 as never }));
    expect(badName.code).toBe('invalid-option');
    expect(badName.message).toBe(
      'MetricsRuntime needs a namespace in OpenTelemetry instrument-name syntax (e.g. "docs" or "acme.storage"), got 7.',
    );
    const badBuffer = thrown(() => new MetricsRuntime({ namespace: 'app', maxPendingEvents: 0 }));
    expect(badBuffer.message).toMatch(/^MetricsRuntime "app"/);
    expect(badBuffer.message).toContain('maxPendingEvents');
  });

  it('createRecorder: a factory that throws, metrics that are not an array, named with the recorder', () => {
    const rt = runtime();
    const cause = new Error('no metrics today');
    const threw = thrown(() =>
      rt.createRecorder('r', {
        metrics: () => {
          throw cause;
        },
      }),
    );
    expect(threw.code).toBe('invalid-option');
    expect(threw.message).toBe('createRecorder("r"): the metrics factory threw: no metrics today.');
    expect(threw.cause).toBe(cause);
    const notArray = thrown(() => rt.createRecorder('r', { metrics: 5 as never }));
    expect(notArray.code).toBe('invalid-option');
    expect(notArray.message).toBe(
      'createRecorder("r"): option `metrics` must be an array of metrics or a function returning one, got 5.',
    );
    const fromFactory = thrown(() => rt.createRecorder('r', { metrics: (() => 'x') as never }));
    expect(fromFactory.message).toBe(
      'createRecorder("r"): option `metrics` must be an array of metrics or a function returning one, got "x" from the factory.',
    );
    const { proxy, revoke } = Proxy.revocable([] as never[], {});
    revoke();
    const revoked = thrown(() => rt.createRecorder('r', { metrics: proxy }));
    expect(revoked).toBeInstanceOf(MetricsWiringError);
    expect(revoked.code).toBe('invalid-option');
    const notString = thrown(() => rt.createRecorder(5 as never, { metrics: 5 as never }));
    expect(notString).toBeInstanceOf(MetricsWiringError);
    expect(notString.message).toMatch(/^createRecorder\("\?"\)/);
    expect(rt.recorders()).toEqual([]);
  });

  it('createRecorder with a name that is not a string is a wiring error, not a TypeError', () => {
    const rt = runtime();
    const error = thrown(() => rt.createRecorder(5 as never, { metrics: saves }));
    expect(error).toBeInstanceOf(MetricsWiringError);
    expect(rt.getRecorder(5 as never)).toBeUndefined();
  });

  it('a taken name, an unknown recorder to expose: each named in words', () => {
    const rt = runtime();
    rt.createRecorder('orders', { metrics: saves });
    const taken = thrown(() => rt.createRecorder('orders', { metrics: saves }));
    expect(taken.code).toBe('recorder-name-taken');
    expect(taken.message).toBe(
      'Recorder name "orders" is already taken in runtime "app": use getRecorder("orders"), or removeRecorder it first.',
    );
    const unknown = thrown(() => rt.exposeRecorder('nobody'));
    expect(unknown.code).toBe('unknown-recorder');
    expect(unknown.message).toBe(
      'Cannot expose recorder "nobody" to workers: runtime "app" has no recorder of that name. Create it with createRecorder first.',
    );
  });

  it('after shutdown (and while draining): createRecorder, exposeRecorder and clusterPrimary refuse, in words', async () => {
    const rt = runtime();
    rt.start();
    const draining = rt.shutdown();
    expect(rt.state).toBe('draining');
    const whileDraining = thrown(() => rt.createRecorder('late', { metrics: saves }));
    expect(whileDraining.code).toBe('runtime-shut-down');
    await draining;
    const create = thrown(() => rt.createRecorder('late', { metrics: saves }));
    expect(create.code).toBe('runtime-shut-down');
    expect(create.message).toBe(
      'Cannot create recorder "late": the runtime "app" is shut down. Create recorders before shutdown(), or use a new MetricsRuntime.',
    );
    const expose = thrown(() => rt.exposeRecorder('late'));
    expect(expose.code).toBe('runtime-shut-down');
    expect(expose.message).toBe(
      'Cannot expose recorder "late" to workers: the runtime "app" is shut down.',
    );
    const primary = thrown(() => rt.clusterPrimary());
    expect(primary.code).toBe('runtime-shut-down');
    expect(primary.message).toBe(
      'Cannot take events from worker processes: the runtime "app" is shut down.',
    );
  });

  it('clusterPrimary: one per runtime; its options are checked naming it', () => {
    const rt = runtime();
    const bad = thrown(() => rt.clusterPrimary({ selfTelemetry: 'yes' as never }));
    expect(bad.code).toBe('invalid-option');
    expect(bad.message).toMatch(/^MetricsRuntime "app": clusterPrimary/);
    expect(bad.message).toContain('selfTelemetry');
    const primary = rt.clusterPrimary({ selfTelemetry: false });
    expect(rt.clusterPrimary()).toBe(primary);
    expect(rt.getRecorder('mvx_cluster')).toBeUndefined();
  });

  it('listeners and the context capturer must be functions, each named', () => {
    const rt = runtime();
    expect(thrown(() => rt.onRecorderAdded(5 as never)).message).toBe(
      'onRecorderAdded: the listener must be a function, got 5.',
    );
    expect(thrown(() => rt.onRecorderRemoved(5 as never)).message).toBe(
      'onRecorderRemoved: the listener must be a function, got 5.',
    );
    expect(thrown(() => rt.onStateChange(5 as never)).message).toBe(
      'MetricsRuntime "app": onStateChange listener must be a function, got 5.',
    );
    const capture = thrown(() => rt.setContextCapture(5 as never));
    expect(capture.code).toBe('invalid-option');
    expect(capture.message).toMatch(/^MetricsRuntime "app"/);
    expect(capture.message).toContain('capture');
  });
});

describe('MetricsRuntime wiring errors: the owner named', () => {
  it('a bad scheduler, a throwing namespace getter and a bad unhandledEvents each name the runtime and the option', () => {
    const scheduler = thrown(() => new MetricsRuntime({ namespace: 'app', scheduler: 5 as never }));
    expect(scheduler.code).toBe('invalid-option');
    expect(scheduler.message).toMatch(/^MetricsRuntime "app": scheduler must be /);
    const getter = thrown(
      () =>
        new MetricsRuntime({
          get namespace(): string {
            throw new Error('nope');
          },
        }),
    );
    expect(getter).toBeInstanceOf(MetricsWiringError);
    expect(getter.message).toMatch(/^MetricsRuntime\b/);
    expect(getter.message).toContain('namespace');
    const unhandled = thrown(
      () => new MetricsRuntime({ namespace: 'app', unhandledEvents: 'loud' as never }),
    );
    expect(unhandled.code).toBe('invalid-option');
    expect(unhandled.message).toMatch(/^MetricsRuntime "app"/);
    expect(unhandled.message).toContain('unhandledEvents');
  });

  it('a listener refusing with a revoked proxy is no wiring error: reported, the recorder stays', () => {
    const rt = runtime();
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    rt.onRecorderAdded(() => {
      throw proxy;
    });
    const recorder = rt.createRecorder('kept', { metrics: saves });
    expect(rt.getRecorder('kept')).toBe(recorder);
    expect(rt.errors.map((e) => e.code)).toEqual(['listener-failed']);
  });

  it('undoing a refused recorder tells the removal listeners; one that throws is reported, naming onRecorderRemoved', () => {
    const rt = runtime();
    rt.onRecorderRemoved(() => {
      throw new Error('cleanup bug');
    });
    rt.onRecorderAdded(() => {
      throw new MetricsWiringError('invalid-option', 'refused');
    });
    expect(thrown(() => rt.createRecorder('refused', { metrics: saves })).message).toBe('refused');
    expect(rt.errors.map((e) => e.message)).toEqual([
      'A onRecorderRemoved listener of runtime "app" threw for recorder "refused": cleanup bug',
    ]);
  });
});

describe('MetricsRuntime buffer defaults', () => {
  it("a recorder inherits the runtime's maxPendingEvents, overflow and unhandledEvents unless it sets its own", () => {
    const value = () => [gauge({ name: 'last', on: 'set', value: (e: { v: number }) => e.v })];
    const rt = runtime({ maxPendingEvents: 2, overflow: 'drop-oldest', unhandledEvents: 'ignore' });
    const inherits = rt.createRecorder('inherits', { metrics: value });
    const own = rt.createRecorder('own', {
      metrics: value,
      maxPendingEvents: 3,
      overflow: 'drop-newest',
      unhandledEvents: 'report',
    });
    expect(inherits.stats().capacity).toBe(2);
    expect(own.stats().capacity).toBe(3);
    // Started, the immediate scheduler processes at the next turn: the buffers fill first.
    rt.start();
    for (const recorder of [inherits, own]) {
      for (const v of [1, 2, 3, 4]) recorder.registerEvent({ type: 'set', v });
      recorder.registerEvent({ type: 'unknown' });
    }
    rt.processPending();
    // drop-oldest keeps the newest events (4, then the unknown one); drop-newest the first three.
    expect(pointValue(inherits, 'last')).toBe(4);
    expect(pointValue(own, 'last')).toBe(3);
    for (const recorder of [inherits, own]) recorder.registerEvent({ type: 'unknown' });
    rt.processPending();
    const unhandled = rt.errors.filter((e) => e.code === 'unhandled-event-type');
    expect(unhandled.length).toBeGreaterThan(0);
    expect(unhandled.every((e) => e.message.includes('"own"'))).toBe(true);
  });
});

describe('MetricsRuntime listeners and lifecycle', () => {
  it('an onRecorderAdded listener that throws a MetricsWiringError refuses the recorder; any other error is reported and the recorder stays', () => {
    const rt = runtime();
    const removed: string[] = [];
    rt.onRecorderRemoved((r) => removed.push(r.name));
    const refusal = new MetricsWiringError('invalid-option', 'not this one');
    const off = rt.onRecorderAdded((r) => {
      if (r.name === 'refused') throw refusal;
    });
    expect(thrown(() => rt.createRecorder('refused', { metrics: saves }))).toBe(refusal);
    expect(rt.getRecorder('refused')).toBeUndefined();
    expect(removed).toEqual(['refused']);
    off();
    const cause = new Error('listener bug');
    rt.onRecorderAdded(() => {
      throw cause;
    });
    const kept = rt.createRecorder('kept', { metrics: saves });
    expect(rt.getRecorder('kept')).toBe(kept);
    const failed = rt.errors.filter((e) => e.code === 'listener-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.message).toBe(
      'A onRecorderAdded listener of runtime "app" threw for recorder "kept": listener bug',
    );
    expect(failed[0]?.cause).toBe(cause);
  });

  it('an onRecorderRemoved listener that throws, even a MetricsWiringError, is reported; the removal stands', async () => {
    const rt = runtime();
    rt.createRecorder('gone', { metrics: saves });
    rt.onRecorderRemoved(() => {
      throw new MetricsWiringError('invalid-option', 'too late to refuse');
    });
    await expect(rt.removeRecorder('gone')).resolves.toBe(true);
    expect(rt.getRecorder('gone')).toBeUndefined();
    const failed = rt.errors.filter((e) => e.code === 'listener-failed');
    expect(failed.map((e) => e.message)).toEqual([
      'A onRecorderRemoved listener of runtime "app" threw for recorder "gone": too late to refuse',
    ]);
  });

  it('two removals of one recorder at once: one removes it, the other resolves false; listeners hear it once', async () => {
    const rt = runtime();
    rt.start();
    rt.createRecorder('twice', { metrics: saves });
    const removed: string[] = [];
    rt.onRecorderRemoved((r) => removed.push(r.name));
    const results = await Promise.all([rt.removeRecorder('twice'), rt.removeRecorder('twice')]);
    expect(results).toEqual([true, false]);
    expect(removed).toEqual(['twice']);
    await expect(rt.removeRecorder('twice')).resolves.toBe(false);
  });

  it('start() is idempotent and does nothing after shutdown: each state is announced once', async () => {
    const rt = runtime();
    const seen: string[] = [];
    rt.onStateChange((state, previous) => seen.push(`${previous}>${state}`));
    rt.start();
    rt.start();
    await rt.shutdown();
    rt.start();
    expect(seen).toEqual(['initializing>running', 'running>draining', 'draining>drained']);
    expect(rt.state).toBe('drained');
  });

  it('shutdown() before start() still processes what was registered, then ends drained', async () => {
    const rt = runtime();
    const recorder = rt.createRecorder('early', { metrics: saves });
    recorder.registerEvent({ type: 'save' });
    recorder.registerEvent({ type: 'save' });
    await rt.shutdown();
    expect(rt.state).toBe('drained');
    expect(pointValue(recorder, 'saves')).toBe(2);
    expect(recorder.stats()).toMatchObject({ registered: 2, processed: 2, dropped: 0 });
  });

  it("a custom scheduler's throw outside a drain is reported with the scheduler's own error", async () => {
    const boom = new Error('scheduler down');
    let throwing = true;
    const scheduler = {
      schedule(task: () => void) {
        if (throwing) throw boom;
        setImmediate(task);
      },
      stats: () => ({ turns: 0, visits: 0 }),
    };
    const rt = runtime({ scheduler: scheduler as never });
    rt.start();
    const recorder = rt.createRecorder('r', { metrics: saves });
    recorder.registerEvent({ type: 'save' });
    const reported = rt.errors.filter((e) => e.cause === boom);
    expect(reported.length).toBeGreaterThan(0);
    expect(rt.errors.some((e) => e.cause instanceof TypeError)).toBe(false);
    expect(rt.state).toBe('running');
    throwing = false;
  });
});

/** A scheduler that runs nothing until told: `run()` drains every task it was given. */
function manualScheduler(withIdle: boolean) {
  const tasks = new Set<SchedulerTask>();
  const idle: IdleTask[] = [];
  const scheduler = {
    schedule: (task: SchedulerTask) => {
      tasks.add(task);
    },
    stats: () => ({ turns: 0, visits: 0 }),
    ...(withIdle ? { scheduleIdle: (task: IdleTask) => idle.push(task) } : {}),
  };
  const run = () => {
    while (tasks.size > 0) {
      const now = [...tasks];
      tasks.clear();
      for (const task of now) if (task.drain(Number.POSITIVE_INFINITY)) tasks.add(task);
    }
  };
  return { scheduler, run, idle };
}

describe('MetricsRuntime shutdown edges', () => {
  it('shutdown({ timeoutMs }) must be a positive number; a refusal changes nothing', async () => {
    const rt = runtime();
    rt.start();
    for (const [timeoutMs, shown] of [
      [0, '0'],
      [-1, '-1'],
      [Number.NaN, 'NaN'],
      ['5', '"5"'],
    ] as const) {
      const error = thrown(() => rt.shutdown({ timeoutMs: timeoutMs as never }));
      expect(error.code).toBe('invalid-option');
      expect(error.message).toBe(
        `MetricsRuntime "app": shutdown({ timeoutMs }) must be a positive number of milliseconds (Infinity waits as long as the drain takes), got ${shown}.`,
      );
      expect(rt.state).toBe('running');
    }
  });

  it('timeoutMs: Infinity waits for a slow drain and ends drained', async () => {
    const rt = runtime({
      scheduler: {
        schedule: (task: SchedulerTask) => {
          setTimeout(() => {
            while (task.drain(Number.POSITIVE_INFINITY));
          }, 30);
        },
        stats: () => ({ turns: 0, visits: 0 }),
      } as never,
    });
    rt.start();
    const recorder = rt.createRecorder('slow', { metrics: saves });
    recorder.registerEvent({ type: 'save' });
    await rt.shutdown({ timeoutMs: Number.POSITIVE_INFINITY });
    expect(rt.state).toBe('drained');
    expect(pointValue(recorder, 'saves')).toBe(1);
    expect(rt.errors).toEqual([]);
  });

  it('a drain given up names the recorders that lost events, and only those', async () => {
    const { scheduler } = manualScheduler(false);
    const rt = runtime({ scheduler: scheduler as never });
    rt.start();
    const busy = rt.createRecorder('busy', { metrics: saves });
    rt.createRecorder('quiet', { metrics: saves });
    busy.registerEvent({ type: 'save' });
    busy.registerEvent({ type: 'save' });
    await rt.shutdown({ timeoutMs: 20 });
    expect(rt.state).toBe('failed');
    const timeouts = rt.errors.filter((e) => e.code === 'shutdown-timeout');
    expect(timeouts.map((e) => e.message)).toEqual([
      `Runtime "app" could not drain within 20 ms: 2 pending events were discarded ("busy": 2) and are counted in stats().dropped. The runtime is 'failed'. Raise shutdown({ timeoutMs }), make the slow metrics cheaper, or fix the scheduler.`,
    ]);
  });

  it("a custom scheduler's idle timer is what a recorder's burst memory uses", () => {
    const { scheduler, run, idle } = manualScheduler(true);
    const rt = runtime({ scheduler: scheduler as never, maxPendingEvents: 10_000 });
    rt.start();
    const recorder = rt.createRecorder('bursty', { metrics: saves });
    for (let i = 0; i < 5_000; i++) recorder.registerEvent({ type: 'save' });
    run();
    expect(pointValue(recorder, 'saves')).toBe(5_000);
    expect(idle.length).toBeGreaterThan(0);
    expect(typeof idle[0]?.idle).toBe('function');
  });

  it('an onStateChange listener that throws is reported with its error as the cause; the others still hear', () => {
    const rt = runtime();
    const cause = new Error('watcher bug');
    const heard: string[] = [];
    rt.onStateChange(() => {
      throw cause;
    });
    rt.onStateChange((state) => heard.push(state));
    rt.start();
    expect(heard).toEqual(['running']);
    const failed = rt.errors.filter((e) => e.code === 'listener-failed');
    expect(failed.map((e) => e.message)).toEqual([
      'An onStateChange listener of runtime "app" threw on initializing → running: watcher bug',
    ]);
    expect(failed[0]?.cause).toBe(cause);
  });
});
