import { describe, expect, it } from 'vitest';
import { type MetricsError, MetricsWiringError } from '../errors/index.js';
import { MetricEvent } from '../events/index.js';
import { counter, type Metric } from '../metrics/index.js';
import { MetricsRuntime } from '../runtime/index.js';
import { createTestRecorder, pointValue } from '../testing/index.js';
import { MAX_INDEXED_CLASSES, MAX_REPORTED_UNHANDLED_TYPES } from './dispatch-index.js';

class Saved extends MetricEvent {}
class Retried extends Saved {}
class Read extends MetricEvent {}

/** A hand-written metric that records every event it is asked about. */
function probe(name: string, selector?: unknown): Metric & { asked: object[] } {
  const asked: object[] = [];
  const metric = {
    name,
    asked,
    handleEvent: (event: object) => {
      asked.push(event);
      return false;
    },
    snapshot: () => ({ name, kind: 'custom', points: [] }),
  };
  if (selector !== undefined)
    Object.assign(metric, { descriptor: { name, kind: 'custom', selector } });
  return metric;
}

const unhandled = (errors: MetricsError[]) =>
  errors.filter((e) => e.code === 'unhandled-event-type');

describe('dispatch index', () => {
  it('asks a hand-written metric that declares a class selector only about instances of it, subclasses included', () => {
    const declared = probe('declared', Saved);
    const undeclared = probe('undeclared');
    const recorder = createTestRecorder([declared, undeclared]);
    const events = [new Saved(), new Read(), new Retried(), { type: 'x' }];
    for (const event of events) recorder.registerEvent(event);
    expect(declared.asked).toEqual([events[0], events[2]]);
    expect(undeclared.asked).toEqual(events);
  });

  it("serves a subclass's event from its base class's entry only while no metric selects a class between", () => {
    // The last event's entry is reused for an event that has its prototype on the chain: right
    // for a subclass nobody selects (Saved → Retried with a metric on Saved only), wrong once a
    // metric selects the subclass, which must then be asked about Retried events only.
    class Final extends Retried {}
    const onSaved = probe('on.saved', Saved);
    const onRead = probe('on.read', Read);
    const recorder = createTestRecorder([onSaved, onRead]);
    const first = [new Saved(), new Retried(), new Final(), new Read(), new Final()];
    for (const event of first) recorder.registerEvent(event);
    expect(onSaved.asked).toEqual([first[0], first[1], first[2], first[4]]);
    expect(onRead.asked).toEqual([first[3]]);

    const onRetried = probe('on.retried', Retried);
    recorder.addMetric(onRetried);
    const then = [new Saved(), new Retried(), new Saved(), new Final(), new Saved()];
    for (const event of then) recorder.registerEvent(event);
    expect(onRetried.asked).toEqual([then[1], then[3]]);
    expect(onSaved.asked.slice(4)).toEqual(then);
    // A plain object after a class event: Object.prototype is on the class event's chain, not the
    // reverse, so the plain object's own entry decides (no class metric for it).
    recorder.registerEvent({ type: 'plain' });
    recorder.registerEvent(new Saved());
    expect(onSaved.asked).toHaveLength(10);
    expect(onRead.asked).toHaveLength(1);
  });

  it('offers a class event carrying a `type` to the metrics of its class and to those selecting the type', () => {
    const byType = probe('by.type', 'saved');
    const byClass = probe('by.class', Read);
    const recorder = createTestRecorder([byType, byClass]);
    const typed = Object.assign(new Read(), { type: 'saved' });
    recorder.registerEvent(typed);
    recorder.registerEvent(new Read());
    expect(byType.asked).toEqual([typed]);
    expect(byClass.asked).toHaveLength(2);
  });

  it('selects events that crossed a thread (structured-cloned, no prototype) by `type`, not by class', () => {
    const recorder = createTestRecorder([
      counter({ name: 'by.class', on: Saved }),
      counter({ name: 'by.type', on: 'saved' }),
    ]);
    recorder.registerEvent(structuredClone(Object.assign(new Saved(), { type: 'saved' })));
    recorder.registerEvent(Object.assign(Object.create(null), { type: 'saved' }));
    expect(pointValue(recorder, 'by.type')).toBe(2);
    expect(pointValue(recorder, 'by.class')).toBe(0);
  });

  it('keeps the index right when a metric is added after events of its class were seen', () => {
    const recorder = createTestRecorder([counter({ name: 'first', on: Saved })]);
    recorder.registerEvent(new Saved());
    recorder.addMetric(counter({ name: 'later', on: Saved }));
    recorder.registerEvent(new Retried());
    expect(pointValue(recorder, 'first')).toBe(2);
    expect(pointValue(recorder, 'later')).toBe(1);
  });

  it('falls back to every metric for an event whose prototype cannot be read, and never throws', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const recorder = createTestRecorder([
      probe('declared', Saved),
      counter({ name: 'c', on: 'x' }),
    ]);
    expect(() => recorder.registerEvent(proxy)).not.toThrow();
    // as without an index: each metric is asked, and each one that throws on the proxy is counted
    expect(recorder.stats()).toMatchObject({ processed: 1, ignored: 1, failed: 1 });
  });

  it('falls back to every metric when the `type` getter throws: only the metrics that read it fail', () => {
    class Sneaky extends Saved {
      get type(): string {
        throw new Error('no type');
      }
    }
    const recorder = createTestRecorder([
      counter({ name: 'by.class', on: Saved }),
      counter({ name: 'by.type', on: 'saved' }),
    ]);
    recorder.registerEvent(new Sneaky());
    expect(pointValue(recorder, 'by.class')).toBe(1);
    expect(recorder.stats()).toMatchObject({ accepted: 1, failed: 1 });
  });

  it('refuses at wiring time a hand-written descriptor whose selector is not a class, string or function', () => {
    const recorder = createTestRecorder([]);
    expect(() => recorder.addMetric(probe('bad', 42))).toThrow(MetricsWiringError);
    expect(() => recorder.addMetric(probe('bad', 42))).toThrow(/descriptor\.selector 42/);
    const throwing = probe('throwing');
    Object.defineProperty(throwing, 'descriptor', {
      get() {
        throw new Error('no descriptor');
      },
    });
    expect(() => recorder.addMetric(throwing)).toThrow(MetricsWiringError);
    expect(recorder.getMetrics()).toHaveLength(0);
    // refused before it was claimed: the metric can still join
    recorder.addMetric(probe('bad.later'));
  });

  it('is bounded: past the cap of event classes it asks every metric, with the same results, and reports once', () => {
    const all = probe('all');
    const recorder = createTestRecorder([
      counter({ name: 'saved', on: Saved }),
      counter({ name: 'read', on: Read }),
      all,
    ]);
    const count = MAX_INDEXED_CLASSES + 50;
    for (let i = 0; i < count; i++) {
      // a class per event, as a program that defines classes in a request handler does
      recorder.registerEvent(new (class extends Saved {})());
    }
    expect(pointValue(recorder, 'saved')).toBe(count);
    expect(all.asked).toHaveLength(count);
    const full = recorder.errors.filter((e) => e.code === 'dispatch-index-full');
    expect(full).toHaveLength(1);
    expect(full[0]?.message).toMatch(/"test".*1024 distinct event classes/);
  });
});

describe('unhandled event types', () => {
  it('reports a type no metric selects once, naming the recorder, the type and how many so far', async () => {
    const errors: MetricsError[] = [];
    const runtime = new MetricsRuntime({ namespace: 'docs', onError: (e) => errors.push(e) });
    runtime.start();
    const recorder = runtime.createRecorder('storage', {
      metrics: () => [counter({ name: 'saved', on: 'documnet.saved' })], // the typo
    });
    for (let i = 0; i < 3; i++) recorder.registerEvent({ type: 'document.saved' });
    await recorder.flush();
    for (let i = 0; i < 3; i++) recorder.registerEvent({ type: 'document.saved' });
    await recorder.flush();
    expect(unhandled(errors)).toHaveLength(1);
    expect(unhandled(errors)[0]?.message).toMatch(
      /Recorder "storage": no metric selects events of type "document\.saved" \(3 so far, 1 unhandled type/,
    );
    expect(recorder.stats()).toMatchObject({ processed: 6, ignored: 6 });
    await runtime.shutdown();
  });

  it('names a class event by its class, and reports each type of a recorder once', () => {
    const recorder = createTestRecorder([counter({ name: 'saved', on: Saved })]);
    recorder.registerEvent(new Read());
    recorder.registerEvent(new Read());
    recorder.registerEvent(new Saved());
    recorder.registerEvent({ type: 'cache.evicted' });
    expect(unhandled(recorder.errors).map((e) => /type "([^"]+)"/.exec(e.message)?.[1])).toEqual([
      'Read',
      'cache.evicted',
    ]);
  });

  it('does not report an event a predicate metric was asked about, even if it ignored it', () => {
    const recorder = createTestRecorder([
      counter({ name: 'big', on: (e: { n: number }) => e.n > 9 }),
    ]);
    recorder.registerEvent({ type: 'small', n: 1 });
    expect(recorder.stats().ignored).toBe(1);
    expect(unhandled(recorder.errors)).toEqual([]);
  });

  it("stays quiet with unhandledEvents: 'ignore', on the recorder or inherited from the runtime", async () => {
    const quiet = createTestRecorder([], { unhandledEvents: 'ignore' });
    quiet.registerEvent({ type: 'x' });
    expect(quiet.errors).toEqual([]);

    const errors: MetricsError[] = [];
    const runtime = new MetricsRuntime({
      namespace: 'docs',
      scheduler: 'sync',
      unhandledEvents: 'ignore',
      onError: (e) => errors.push(e),
    });
    runtime.start();
    runtime.createRecorder('inherits').registerEvent({ type: 'x' });
    runtime.createRecorder('overrides', { unhandledEvents: 'report' }).registerEvent({ type: 'y' });
    expect(unhandled(errors).map((e) => e.message)).toEqual([
      expect.stringMatching(/"overrides".*"y"/),
    ]);
    await runtime.shutdown();
  });

  it('refuses an unknown unhandledEvents value at wiring time, naming the option', () => {
    expect(() => createTestRecorder([], { unhandledEvents: 'warn' as 'ignore' })).toThrow(
      /Recorder "test": option `unhandledEvents` must be 'report' or 'ignore', got "warn"/,
    );
    expect(
      () =>
        new MetricsRuntime({ namespace: 'docs', unhandledEvents: false as unknown as 'ignore' }),
    ).toThrow(MetricsWiringError);
  });

  it('is bounded: a `type` carrying an id is reported for the first types, then once more and no further', () => {
    const recorder = createTestRecorder([counter({ name: 'saved', on: Saved })]);
    for (let i = 0; i < MAX_REPORTED_UNHANDLED_TYPES + 500; i++) {
      recorder.registerEvent({ type: `user.${i}.saved` });
    }
    const reports = unhandled(recorder.errors);
    expect(reports).toHaveLength(MAX_REPORTED_UNHANDLED_TYPES + 1);
    expect(reports.at(-1)?.message).toMatch(/more than 100 types/);
  });
});
