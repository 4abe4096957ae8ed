// What a user sees at the recorder's edges: the codes and words of its wiring errors and run-time
// reports, option refusals, which metrics are offered an event, listener bookkeeping, and what a
// scheduler of the user's own is told by a visit. Each test guards behaviour a mutation run found
// unguarded (docs/reliability.md, "Survivors named, per folder", core recorder).
import { describe, expect, it } from 'vitest';
import { type MetricsError, MetricsWiringError } from '../errors/index.js';
import { MetricEvent } from '../events/index.js';
import { counter, type Metric } from '../metrics/index.js';
import type { SchedulerTask } from '../scheduler/index.js';
import { createTestRecorder } from '../testing/index.js';
import { MAX_INDEXED_CLASSES } from './dispatch-index.js';
import { type MetricChange, MetricsRecorder } from './index.js';

class Saved extends MetricEvent {}
class Read extends MetricEvent {}

/** The error `fn` throws (fails the test when it throws nothing). */
function thrown(fn: () => unknown): MetricsWiringError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MetricsWiringError);
    return error as MetricsWiringError;
  }
  throw new Error('expected a throw');
}

/** A hand-written metric that counts what it accepts (every event it is asked about). */
function taking(name: string, selector?: unknown): Metric & { taken: object[] } {
  const taken: object[] = [];
  const metric = {
    name,
    taken,
    handleEvent: (event: object) => {
      taken.push(event);
      return true;
    },
    snapshot: () => ({ name, kind: 'custom', points: [] }),
  };
  if (selector !== undefined)
    Object.assign(metric, { descriptor: { name, kind: 'custom', selector } });
  return metric;
}

/** A scheduler of the user's own that only keeps the task: the test visits it by hand. */
function manualScheduler() {
  const tasks: SchedulerTask[] = [];
  return {
    tasks,
    schedule: (task: SchedulerTask) => {
      tasks.push(task);
    },
    stats: () => ({ turns: 0, visits: 0 }),
  };
}

describe('recorder wiring errors', () => {
  it('refuses a name that is not a non-empty string with invalid-recorder-name', () => {
    for (const bad of ['', 42, undefined]) {
      const error = thrown(() => new MetricsRecorder(bad as string));
      expect(error.code).toBe('invalid-recorder-name');
    }
  });

  it('refuses anything but an object with handleEvent and snapshot as a metric, naming the recorder', () => {
    const fn = Object.assign(() => true, {
      handleEvent: () => true,
      snapshot: () => ({ name: 'f', kind: 'custom', points: [] }),
    });
    const bad: unknown[] = [
      null,
      undefined,
      42,
      'metric',
      fn, // a function carrying the methods is not a metric object
      { name: 'no.handle', snapshot: () => ({}) },
      { name: 'no.snapshot', handleEvent: () => true },
    ];
    for (const metric of bad) {
      const recorder = createTestRecorder([], { name: 'wired' });
      const error = thrown(() => recorder.addMetric(metric as Metric));
      expect(error.code).toBe('invalid-metric-options');
      expect(error.message).toBe(
        'Recorder "wired": addMetric needs an object with name, handleEvent(event) and snapshot().',
      );
      expect(recorder.getMetrics()).toEqual([]);
    }
  });

  it('refuses a metric instance that already belongs to another live recorder with duplicate-metric', async () => {
    const shared = counter({ name: 'shared', on: Saved });
    const first = createTestRecorder([shared], { name: 'first' });
    const error = thrown(() => createTestRecorder([shared], { name: 'second' }));
    expect(error.code).toBe('duplicate-metric');
    expect(error.message).toMatch(/^Metric "shared" already belongs to recorder "first"/);
    await first.stop();
    expect(createTestRecorder([shared], { name: 'third' }).getMetrics()).toEqual([shared]);
  });

  it('reports a descriptor that throws when read as invalid-metric-options, with the cause', () => {
    const boom = new Error('descriptor broke');
    const metric = {
      name: 'odd',
      handleEvent: () => true,
      snapshot: () => ({ name: 'odd', kind: 'custom', points: [] }),
      get descriptor(): never {
        throw boom;
      },
    };
    const error = thrown(() => createTestRecorder([metric], { name: 'r' }));
    expect(error.code).toBe('invalid-metric-options');
    expect(error.message).toBe('Recorder "r": reading the descriptor of metric "odd" threw.');
    expect(error.cause).toBe(boom);
  });

  it('refuses a declared selector that is neither class, string nor function with invalid-metric-options', () => {
    for (const selector of [42, true, { type: 'x' }, Symbol('s')]) {
      const error = thrown(() => createTestRecorder([taking('m', selector)], { name: 'r' }));
      expect(error.code).toBe('invalid-metric-options');
      expect(error.message).toMatch(/^Recorder "r": metric "m" declares descriptor\.selector /);
    }
  });

  it('names the recorder when its scheduler option is no scheduler', () => {
    const error = thrown(() => new MetricsRecorder('named', { scheduler: 42 as never }));
    expect(error.code).toBe('invalid-option');
    expect(error.message).toMatch(/^Recorder "named": scheduler must be /);
  });

  it('setContextCapture and setErrorHandler refuse a non-function, naming the recorder and the option', () => {
    const recorder = createTestRecorder([], { name: 'r' });
    const capture = thrown(() => recorder.setContextCapture(42 as never));
    expect(capture.code).toBe('invalid-option');
    expect(capture.message).toBe('Recorder "r": option `capture` must be a function, got 42.');
    for (const bad of [undefined, null, 'log']) {
      const handler = thrown(() => recorder.setErrorHandler(bad as never));
      expect(handler.code).toBe('invalid-option');
      expect(handler.message).toMatch(/^Recorder "r": option `handler` must be a function, got /);
    }
  });

  it('setErrorHandler replaces where later reports go', () => {
    const first: MetricsError[] = [];
    const second: MetricsError[] = [];
    const recorder = new MetricsRecorder('r', { scheduler: 'sync', onError: (e) => first.push(e) });
    recorder.start();
    recorder.registerEvent(42 as never);
    recorder.setErrorHandler((e) => second.push(e));
    void recorder.stop();
    recorder.registerEvent({ type: 'late' });
    expect(first.map((e) => e.code)).toEqual(['invalid-event']);
    expect(second.map((e) => e.code)).toEqual(['event-after-stop']);
  });
});

describe('change listener options and bookkeeping', () => {
  it('refuses options that are not an object, in words that say what was passed', () => {
    const recorder = createTestRecorder([], { name: 'r' });
    for (const [bad, shown] of [
      [null, 'null'],
      [1, '1'],
    ] as const) {
      const error = thrown(() => recorder.onChange(() => {}, bad as never));
      expect(error.code).toBe('invalid-option');
      expect(error.message).toBe(
        `onChange: options must be an object like { transient: true }, got ${shown}.`,
      );
    }
  });

  it('refuses a flag that is not a boolean, or that throws when read, naming the flag', () => {
    const recorder = createTestRecorder([], { name: 'r' });
    const throwing = {
      get withContext(): never {
        throw new Error('getter');
      },
    };
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    for (const [bad, flag] of [
      [{ transient: 'yes' }, 'transient'],
      [{ withContext: 1 }, 'withContext'],
      [throwing, 'withContext'],
      [revoked.proxy, 'transient'],
    ] as const) {
      const error = thrown(() => recorder.onChange(() => {}, bad as never));
      expect(error.code).toBe('invalid-option');
      expect(error.message).toMatch(new RegExp(` for ${flag}\\.$`));
    }
  });

  it('refuses a listener that is not a function, withContext or not, and for onBatchEnd', () => {
    const recorder = createTestRecorder([], { name: 'r' });
    for (const options of [undefined, { withContext: true }, { transient: true }]) {
      const error = thrown(() => recorder.onChange(42 as never, options));
      expect(error.code).toBe('invalid-option');
      expect(error.message).toBe('onChange: the listener must be a function, got 42.');
    }
    const batch = thrown(() => recorder.onBatchEnd('no' as never));
    expect(batch.code).toBe('invalid-option');
    expect(batch.message).toMatch(/^onBatchEnd: the listener must be a function, got /);
  });

  it('an afterChange override alone is called, and may keep its changes', () => {
    const kept: MetricChange[] = [];
    class Keeping extends MetricsRecorder {
      protected override afterChange(change: MetricChange): void {
        kept.push(change);
      }
    }
    const recorder = new Keeping('keeping', {
      metrics: [counter({ name: 'saved', on: Saved })],
      scheduler: 'sync',
    });
    recorder.start();
    const events = [new Saved(), new Saved()];
    for (const event of events) recorder.registerEvent(event);
    expect(kept.map((c) => c.event)).toEqual(events);
    expect(kept.map((c) => c.value)).toEqual([1, 1]);
  });

  it('an afterChange override alone is called for events that carry a context too', () => {
    const seen: unknown[] = [];
    class Auditing extends MetricsRecorder {
      protected override afterChange(change: MetricChange): void {
        seen.push(change.context);
      }
    }
    const recorder = new Auditing('auditing', {
      metrics: [counter({ name: 'saved', on: Saved })],
      scheduler: 'sync',
    });
    let request = 0;
    recorder.setContextCapture(() => `request ${++request}`);
    recorder.start();
    recorder.registerEvent(new Saved());
    recorder.registerEvent(new Saved());
    expect(seen).toEqual(['request 1', 'request 2']);
  });

  it('a keeping listener still gets its own records after a transient listener unsubscribes', () => {
    const recorder = createTestRecorder([counter({ name: 'saved', on: Saved })]);
    const kept: MetricChange[] = [];
    recorder.onChange((change) => kept.push(change));
    const off = recorder.onChange(() => {}, { transient: true });
    off();
    off(); // a second call changes nothing
    const events = [new Saved(), new Saved(), new Saved()];
    for (const event of events) recorder.registerEvent(event);
    expect(new Set(kept).size).toBe(3);
    expect(kept.map((c) => c.event)).toEqual(events);
  });

  it('a listener of every change still gets changes without context after a withContext listener unsubscribes', () => {
    const recorder = createTestRecorder([counter({ name: 'saved', on: Saved })]);
    const seen: object[] = [];
    recorder.onChange((change) => seen.push(change.event), { transient: true });
    const off = recorder.onChange(() => {}, { withContext: true });
    off();
    const event = new Saved();
    recorder.registerEvent(event);
    expect(seen).toEqual([event]);
  });
});

describe('listener and hook failures', () => {
  const messages = (errors: MetricsError[]) =>
    errors.map((e) => [e.code, e.message, (e.cause as Error | undefined)?.message]);

  it('a lone onChange listener that throws: counted each time, reported once in words', () => {
    const recorder = createTestRecorder([counter({ name: 'saved', on: Saved })], { name: 'r' });
    recorder.onChange(() => {
      throw new Error('lone');
    });
    recorder.registerEvent(new Saved());
    recorder.registerEvent(new Saved());
    expect(recorder.stats().failed).toBe(2);
    expect(messages(recorder.errors)).toEqual([
      ['listener-failed', 'A post-change onChange listener of recorder "r" threw: lone', 'lone'],
    ]);
  });

  it('afterChange, an onChange listener among others and an onBatchEnd listener are each reported once, by name', () => {
    const errors: MetricsError[] = [];
    class Throwing extends MetricsRecorder {
      protected override afterChange(): void {
        throw new Error('hook');
      }
    }
    const recorder = new Throwing('r', {
      metrics: [counter({ name: 'saved', on: Saved })],
      scheduler: 'sync',
      onError: (e) => errors.push(e),
    });
    recorder.onChange(() => {
      throw new Error('listener');
    });
    recorder.onBatchEnd(() => {
      throw new Error('batch');
    });
    recorder.start();
    recorder.registerEvent(new Saved());
    recorder.registerEvent(new Saved());
    expect(recorder.stats().failed).toBe(6);
    expect(messages(errors)).toEqual([
      ['listener-failed', 'A post-change afterChange of recorder "r" threw: hook', 'hook'],
      [
        'listener-failed',
        'A post-change onChange listener of recorder "r" threw: listener',
        'listener',
      ],
      [
        'listener-failed',
        'A post-change onBatchEnd listener of recorder "r" threw: batch',
        'batch',
      ],
    ]);
  });

  it('snapshot() failures of two metrics are two reports, metric-failed, each naming its metric', () => {
    const failing = (name: string): Metric => ({
      name,
      handleEvent: () => true,
      snapshot: () => {
        throw new Error(`${name} broke`);
      },
    });
    const recorder = createTestRecorder([failing('a'), failing('b')], { name: 'r' });
    expect(recorder.getMetricSnapshots()).toEqual([]);
    expect(recorder.getMetricSnapshots()).toEqual([]);
    expect(messages(recorder.errors)).toEqual([
      ['metric-failed', 'Metric "a" in recorder "r" threw from snapshot(): a broke', 'a broke'],
      ['metric-failed', 'Metric "b" in recorder "r" threw from snapshot(): b broke', 'b broke'],
    ]);
  });

  it("a scheduler of the user's own that throws from schedule(): reported once, the events stay pending and are asked for again", () => {
    const errors: MetricsError[] = [];
    let calls = 0;
    const recorder = new MetricsRecorder('r', {
      metrics: [counter({ name: 'saved', on: Saved })],
      scheduler: {
        schedule: () => {
          calls++;
          throw new Error('no room');
        },
        stats: () => ({ turns: 0, visits: 0 }),
      },
      onError: (e) => errors.push(e),
    });
    recorder.start();
    recorder.registerEvent(new Saved());
    recorder.registerEvent(new Saved());
    expect(calls).toBe(2);
    expect(recorder.stats().pending).toBe(2);
    expect(messages(errors)).toEqual([
      [
        'scheduler-task-failed',
        'The scheduler of recorder "r" threw from schedule(): no room',
        'no room',
      ],
    ]);
  });
});

describe('dispatch results', () => {
  it('a metric whose class selector has no object prototype is asked about every event, never starved', () => {
    // An old-style constructor whose prototype was replaced by a string: no prototype an event
    // can have, so a predicate, which the index cannot key.
    function Odd() {}
    Odd.prototype = 'not an object' as never;
    const odd = taking('odd', Odd);
    const other = taking('other', Saved);
    const recorder = createTestRecorder([odd, other]);
    const events = [new Saved(), new Read(), { type: 'plain' }];
    for (const event of events) recorder.registerEvent(event);
    expect(odd.taken).toEqual(events);
    expect(other.taken).toEqual([events[0]]);
  });

  it('reports a plain event or a null-prototype event that no class-selecting metric takes as unhandled', () => {
    const recorder = createTestRecorder([counter({ name: 'saved', on: Saved })], { name: 'r' });
    const bare = Object.assign(Object.create(null) as object, { type: 'bare' });
    recorder.registerEvent({ type: 'plain' });
    recorder.registerEvent(bare);
    recorder.registerEvent(new Read());
    const unhandled = recorder.errors.filter((e) => e.code === 'unhandled-event-type');
    expect(unhandled.map((e) => e.message.match(/type "([^"]+)"/)?.[1])).toEqual([
      'plain',
      'bare',
      'Read',
    ]);
    expect(recorder.stats().ignored).toBe(3);
  });

  it('reports the full dispatch index when the class past the cap arrives, not before', () => {
    const saved = taking('saved', Saved);
    const recorder = createTestRecorder([saved, taking('read', Read)], { name: 'r' });
    const full = () => recorder.errors.filter((e) => e.code === 'dispatch-index-full');
    for (let i = 0; i < MAX_INDEXED_CLASSES; i++) {
      recorder.registerEvent(new (class extends Saved {})());
    }
    expect(full()).toEqual([]);
    recorder.registerEvent(new (class extends Saved {})());
    expect(full()).toHaveLength(1);
    expect(saved.taken).toHaveLength(MAX_INDEXED_CLASSES + 1);
  });

  it("never reads an event's `type` while no metric selects by type", () => {
    let reads = 0;
    class Typed extends MetricEvent {
      get type(): string {
        reads++;
        return 'typed';
      }
    }
    const byClass = taking('by.class', Typed);
    const recorder = createTestRecorder([byClass, taking('other', Saved)]);
    recorder.registerEvent(new Typed());
    recorder.registerEvent(new Typed());
    expect(byClass.taken).toHaveLength(2);
    expect(reads).toBe(0);
    const byType = taking('by.type', 'typed');
    recorder.addMetric(byType);
    recorder.registerEvent(new Typed());
    expect(reads).toBeGreaterThan(0);
    expect([byClass.taken.length, byType.taken.length]).toEqual([3, 1]);
  });
});

describe('processing, flush and visits', () => {
  it('processPending and flush before start() process nothing and schedule nothing', async () => {
    const scheduler = manualScheduler();
    const saved = counter({ name: 'saved', on: Saved });
    const recorder = new MetricsRecorder('r', { metrics: [saved], scheduler });
    recorder.registerEvent(new Saved());
    recorder.processPending();
    let flushed = false;
    void recorder.flush().then(() => {
      flushed = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(scheduler.tasks).toHaveLength(0);
    expect(recorder.stats()).toMatchObject({ processed: 0, pending: 1 });
    expect(flushed).toBe(false);
    recorder.start();
    expect(scheduler.tasks).toHaveLength(1);
    expect((scheduler.tasks[0] as SchedulerTask).drain(Number.POSITIVE_INFINITY)).toBe(false);
    await Promise.resolve();
    expect(flushed).toBe(true);
    expect(recorder.stats()).toMatchObject({ processed: 1, pending: 0 });
  });

  it('a visit whose deadline has passed by the default clock yields with events left', () => {
    const scheduler = manualScheduler();
    const recorder = new MetricsRecorder('r', {
      metrics: [counter({ name: 'saved', on: Saved })],
      scheduler,
    });
    recorder.start();
    for (let i = 0; i < 2_000; i++) recorder.registerEvent(new Saved());
    const task = scheduler.tasks[0] as SchedulerTask;
    expect(task.drain(performance.now() - 1)).toBe(true);
    const { processed, pending } = recorder.stats();
    expect(processed).toBeGreaterThan(0);
    expect(pending).toBe(2_000 - processed);
    expect(task.drain(Number.POSITIVE_INFINITY)).toBe(false);
    expect(recorder.stats().processed).toBe(2_000);
  });

  it('a throwing clock: processing-failed reported once, every event processed, each visit says whether events are left', () => {
    const reported: string[][] = [];
    for (const count of [1, 100, 127, 128, 129, 255, 256, 257, 300]) {
      const scheduler = manualScheduler();
      const errors: MetricsError[] = [];
      let reads = 0;
      const recorder = new MetricsRecorder('r', {
        metrics: [counter({ name: 'saved', on: Saved })],
        scheduler,
        // Read once at wiring (the option check), then broken.
        clock: () => {
          if (reads++ === 0) return 0;
          throw new Error('clock broke');
        },
        onError: (e) => errors.push(e),
      });
      recorder.start();
      for (let i = 0; i < count; i++) recorder.registerEvent(new Saved());
      const task = scheduler.tasks[0] as SchedulerTask;
      let visits = 0;
      for (;;) {
        visits++;
        const more = task.drain(0);
        expect(more).toBe(recorder.stats().pending > 0);
        if (!more || visits > count) break;
      }
      expect(recorder.stats()).toMatchObject({ processed: count, pending: 0, failed: 0 });
      // The clock is read every so many events: a short run may never read it.
      expect(errors.length).toBeLessThanOrEqual(1);
      reported.push(...errors.map((e) => [e.code, e.message]));
    }
    expect(reported.length).toBeGreaterThan(0);
    expect(new Set(reported.map((r) => r.join(' ')))).toEqual(
      new Set(['processing-failed Recorder "r" failed while processing: clock broke']),
    );
  });
});
