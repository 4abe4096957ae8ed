import fc from 'fast-check';
import { describe, expect, test, vi } from 'vitest';
import type { MetricsError } from '../errors/index.js';
import { counter } from '../metrics/index.js';
import type { Metric } from '../metrics/types.js';
import { MetricsRuntime } from '../runtime/index.js';
import { findPoint } from '../snapshots/index.js';
import type { MetricSnapshot, NumberPoint } from '../snapshots/types.js';
import { connectRecorder } from './connect-recorder.js';

/**
 * Waits until `check` passes: a message between the two ends arrives on a later turn of the event
 * loop, and on a loaded machine later than any fixed wait (20 ms was not always enough).
 */
const settled = (check: () => void) => vi.waitFor(check, { timeout: 10_000, interval: 5 });

// These tests keep both ends of a connection in one thread: a MessageChannel works the same way
// within a thread, so the protocol is tested here and the cross-thread behaviour in test/workers/.

/** A hand-written metric that remembers the `seq` of each event it accepts, in order. */
function sequence(): Metric & { seen: number[] } {
  const seen: number[] = [];
  return {
    name: 'seq',
    seen,
    handleEvent(event) {
      const seq = (event as { seq?: unknown }).seq;
      if (typeof seq !== 'number') return false;
      seen.push(seq);
      return true;
    },
    snapshot: () => ({ name: 'seq', kind: 'sequence', points: [] }),
  };
}

function setup(options: { maxPendingEvents?: number } = {}) {
  const errors: MetricsError[] = [];
  const runtime = new MetricsRuntime({
    namespace: 'test',
    onError: (error) => errors.push(error),
    ...options,
  });
  runtime.start();
  const seq = sequence();
  const recorder = runtime.createRecorder('jobs', {
    metrics: [
      counter({
        name: 'jobs.done',
        on: 'job.done',
        attributes: (e) => ({ kind: (e as { kind: string }).kind }),
      }),
      seq,
    ],
  });
  const exposed = runtime.exposeRecorder('jobs');
  return { runtime, recorder, exposed, seq, errors };
}

function done(recorder: { getMetricSnapshots(): MetricSnapshot[] }, kind: string) {
  return (
    findPoint(recorder.getMetricSnapshots(), 'jobs.done', { kind }) as NumberPoint | undefined
  )?.value;
}

describe('worker-side recorder (both ends in one thread)', () => {
  test('delivers events to the owning recorder in registration order once flushed', async () => {
    const { runtime, recorder, exposed, seq } = setup();
    const remote = connectRecorder(exposed.handle({ batchSize: 64 }));
    for (let i = 0; i < 1000; i++)
      remote.registerEvent({ type: 'job.done', kind: i % 2 ? 'odd' : 'even', seq: i });
    await remote.flush();
    expect(done(recorder, 'odd')).toBe(500);
    expect(done(recorder, 'even')).toBe(500);
    expect(seq.seen).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(recorder.stats()).toMatchObject({ registered: 1000, processed: 1000, pending: 0 });
    await runtime.shutdown();
  });

  test('hands the owning recorder each event as a structured clone of it would be: typed values, key order, prototypes (property)', async () => {
    // Batches cross in the compact form (events/batch-format.ts); what arrives must not differ
    // from cloning each event as it is.
    class Job {
      type = 'job.done';
      constructor(readonly n: number) {}
    }
    const key = fc.oneof(
      fc.constantFrom(...Object.getOwnPropertyNames(Object.prototype), '0', 'seq'),
      fc.string({ maxLength: 4 }),
    );
    const primitive = fc.oneof(
      fc.integer(),
      fc.double(),
      fc.constantFrom(-0, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, 5e-324),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom('1', 'true', ''),
      fc.string({ maxLength: 4 }),
    );
    const event = fc.oneof(
      { weight: 5, arbitrary: fc.dictionary(key, primitive, { maxKeys: 5 }) },
      fc.dictionary(key, fc.oneof(primitive, fc.constant(undefined), fc.array(primitive)), {
        maxKeys: 4,
      }),
      fc.integer().map((n) => new Job(n)),
      fc.constant(Object.assign(Object.create(null), { type: 'no-prototype' })),
      fc.constant(new Date(0)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 30 }), async (sent) => {
        const runtime = new MetricsRuntime({ namespace: 'clone' });
        runtime.start();
        const seen: object[] = [];
        runtime.createRecorder('jobs', {
          metrics: [
            {
              name: 'all',
              handleEvent: (e) => seen.push(e) > 0,
              snapshot: () => ({ name: 'all', kind: 'all', points: [] }),
            },
          ],
        });
        const remote = connectRecorder(runtime.exposeRecorder('jobs').handle({ batchSize: 8 }));
        for (const e of sent) remote.registerEvent(e);
        await remote.flush();
        expect(seen).toHaveLength(sent.length);
        for (let i = 0; i < sent.length; i++) {
          const expected = structuredClone(sent[i]) as object;
          expect(Object.getPrototypeOf(seen[i])).toBe(Object.getPrototypeOf(expected));
          expect(Reflect.ownKeys(seen[i] as object)).toEqual(Reflect.ownKeys(expected));
          // same values, nested ones included, each compared with Object.is (NaN equal, -0 not 0).
          // Not v8.serialize's bytes: they differ for equal values as V8 happens to store them
          // (an int32 kept as a double is written 'N', not 'I'), which depends on the JIT's state.
          expect(seen[i]).toEqual(expected);
        }
        await runtime.shutdown();
      }),
      { numRuns: 60 },
    );
  });

  test('sends full batches as single messages, never one message per event', async () => {
    const { runtime, exposed } = setup();
    const remote = connectRecorder(exposed.handle({ batchSize: 100 }));
    for (let i = 0; i < 1000; i++) remote.registerEvent({ type: 'job.done', kind: 'a' });
    await remote.flush();
    expect(exposed.stats()).toMatchObject({ received: 1000, batches: 10 });
    await runtime.shutdown();
  });

  test('sends a partial batch on a later turn without a flush', async () => {
    const { runtime, recorder, exposed } = setup();
    const remote = connectRecorder(exposed.handle());
    remote.registerEvent({ type: 'job.done', kind: 'a' });
    expect(remote.stats()).toMatchObject({ pending: 1, sent: 0 });
    await settled(() => {
      expect(remote.stats()).toMatchObject({ pending: 0, sent: 1 });
      expect(done(recorder, 'a')).toBe(1);
    });
    await runtime.shutdown();
  });

  test('registerEvent never runs a metric on the caller stack', async () => {
    const { runtime, recorder, exposed } = setup();
    const remote = connectRecorder(exposed.handle({ batchSize: 1 }));
    remote.registerEvent({ type: 'job.done', kind: 'a' });
    expect(done(recorder, 'a')).toBeUndefined();
    await remote.flush();
    expect(done(recorder, 'a')).toBe(1);
    await runtime.shutdown();
  });

  test('rejects a non-object without throwing and counts it outside registered', async () => {
    const { runtime, exposed } = setup();
    const errors: MetricsError[] = [];
    const remote = connectRecorder(exposed.handle(), { onError: (e) => errors.push(e) });
    expect(() => remote.registerEvent(null as unknown as object)).not.toThrow();
    expect(() => remote.registerEvent(42 as unknown as object)).not.toThrow();
    expect(remote.stats()).toMatchObject({ registered: 0, rejected: 2 });
    expect(exposed.stats()).toMatchObject({ registered: 0, rejected: 2 });
    expect(errors.map((e) => e.code)).toEqual(['invalid-event']);
    await runtime.shutdown();
  });

  test('counts an event that cannot be cloned and still delivers the rest of its batch', async () => {
    const { runtime, recorder, exposed, seq } = setup();
    const errors: MetricsError[] = [];
    const remote = connectRecorder(exposed.handle({ batchSize: 10 }), {
      onError: (e) => errors.push(e),
    });
    for (let i = 0; i < 10; i++) {
      const event = i === 3 ? { seq: i, callback: () => i } : { seq: i };
      expect(() => remote.registerEvent(event)).not.toThrow();
    }
    remote.registerEvent({ seq: 10, when: Symbol('not cloneable') });
    await remote.flush();
    expect(seq.seen).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9]);
    expect(remote.stats()).toMatchObject({ registered: 11, sent: 9, uncloneable: 2, pending: 0 });
    expect(exposed.stats()).toMatchObject({
      registered: 11,
      received: 9,
      uncloneable: 2,
      inFlight: 0,
    });
    expect(errors.map((e) => e.code)).toEqual(['event-not-cloneable']);
    expect(errors[0]?.message).toContain('structured-cloned');
    expect(recorder.stats().registered).toBe(9);
    await runtime.shutdown();
  });

  test('drops the newest events when buffered plus in-flight events reach maxPendingEvents', async () => {
    const { runtime, exposed, seq } = setup();
    const errors: MetricsError[] = [];
    const remote = connectRecorder(
      exposed.handle({ maxPendingEvents: 10, batchSize: 4, overflow: 'drop-newest' }),
      { onError: (e) => errors.push(e) },
    );
    // The owning thread cannot receive before this loop ends: 8 in flight + 2 buffered = full.
    for (let i = 0; i < 15; i++) remote.registerEvent({ seq: i });
    expect(remote.stats()).toMatchObject({
      registered: 15,
      sent: 8,
      pending: 2,
      dropped: 5,
      inFlight: 8,
    });
    await remote.flush();
    expect(seq.seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(exposed.stats()).toMatchObject({
      registered: 15,
      received: 10,
      dropped: 5,
      inFlight: 0,
    });
    expect(errors.map((e) => e.code)).toEqual(['buffer-full']);
    await runtime.shutdown();
  });

  test('drops the oldest unsent events under drop-oldest', async () => {
    const { runtime, exposed, seq } = setup();
    const remote = connectRecorder(
      exposed.handle({ maxPendingEvents: 10, batchSize: 4, overflow: 'drop-oldest' }),
      { onError: () => {} },
    );
    for (let i = 0; i < 15; i++) remote.registerEvent({ seq: i });
    await remote.flush();
    // 0..7 were already in flight; of the buffered ones the two newest survive.
    expect(seq.seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 13, 14]);
    expect(exposed.stats()).toMatchObject({ registered: 15, received: 10, dropped: 5 });
    await runtime.shutdown();
  });

  test('takes credit back as the owning thread receives, so a steady producer drops nothing', async () => {
    const { runtime, exposed, seq } = setup();
    const remote = connectRecorder(exposed.handle({ maxPendingEvents: 100, batchSize: 10 }));
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 50; i++) remote.registerEvent({ seq: round * 50 + i });
      await new Promise((resolve) => setImmediate(resolve));
    }
    await remote.flush();
    expect(remote.stats().dropped).toBe(0);
    expect(seq.seen).toHaveLength(1000);
    await runtime.shutdown();
  });

  test('does not drop worker batches that arrive in one burst into a smaller owning buffer', async () => {
    const { runtime, recorder, exposed, seq } = setup({ maxPendingEvents: 100 });
    const remote = connectRecorder(exposed.handle({ maxPendingEvents: 1_000, batchSize: 50 }));
    // 20 batches posted before the owning loop turns: Node delivers them in one callback.
    for (let i = 0; i < 1_000; i++) remote.registerEvent({ seq: i });
    await remote.flush();
    expect(recorder.stats()).toMatchObject({ registered: 1_000, processed: 1_000, dropped: 0 });
    expect(seq.seen).toHaveLength(1_000);
    await runtime.shutdown();
  });

  test('flush resolves only after the owning recorder processed what was sent before it', async () => {
    const { runtime, recorder, exposed } = setup();
    const remote = connectRecorder(exposed.handle({ batchSize: 7 }));
    for (let i = 0; i < 100; i++) remote.registerEvent({ type: 'job.done', kind: 'a' });
    const first = remote.flush();
    for (let i = 0; i < 50; i++) remote.registerEvent({ type: 'job.done', kind: 'b' });
    await first;
    expect(done(recorder, 'a')).toBe(100);
    await remote.flush();
    expect(done(recorder, 'b')).toBe(50);
    expect(recorder.stats().pending).toBe(0);
    await runtime.shutdown();
  });

  test('close() sends what is buffered, resolves pending flushes and rejects later events', async () => {
    const { runtime, recorder, exposed } = setup();
    const remote = connectRecorder(exposed.handle(), { onError: () => {} });
    for (let i = 0; i < 5; i++) remote.registerEvent({ type: 'job.done', kind: 'a' });
    remote.close();
    remote.close();
    remote.registerEvent({ type: 'job.done', kind: 'a' });
    await expect(remote.flush()).resolves.toBeUndefined();
    await settled(() => expect(exposed.stats()).toMatchObject({ received: 5 }));
    await recorder.flush();
    expect(done(recorder, 'a')).toBe(5);
    expect(remote.stats()).toMatchObject({ registered: 5, sent: 5, rejected: 1 });
    expect(exposed.stats()).toMatchObject({
      open: 0,
      registered: 5,
      received: 5,
      lost: 0,
      rejected: 1,
    });
    await runtime.shutdown();
  });

  test('shutdown takes in batches already posted, then closes every connection', async () => {
    const { runtime, recorder, exposed } = setup();
    const remote = connectRecorder(exposed.handle({ batchSize: 10 }), { onError: () => {} });
    for (let i = 0; i < 25; i++) remote.registerEvent({ type: 'job.done', kind: 'a' });
    // 20 posted (two full batches), 5 buffered; the loop has not turned, so nothing received yet.
    expect(exposed.stats()).toMatchObject({ received: 0, inFlight: 25 });
    await runtime.shutdown();
    expect(done(recorder, 'a')).toBe(20);
    expect(exposed.stats()).toMatchObject({ open: 0, registered: 25, received: 20, lost: 5 });
    // The worker side learns of the close: its buffered events are lost, later ones rejected.
    await settled(() => expect(remote.stats()).toMatchObject({ lost: 5 }));
    remote.registerEvent({ type: 'job.done', kind: 'a' });
    expect(remote.stats()).toMatchObject({ sent: 20, lost: 5, pending: 0, rejected: 1 });
    expect(() => exposed.handle()).toThrow(/no longer exposed/);
  });

  test('removeRecorder takes in what was posted and closes the connections of that recorder', async () => {
    const { runtime, exposed, seq } = setup();
    const remote = connectRecorder(exposed.handle({ batchSize: 5 }), { onError: () => {} });
    for (let i = 0; i < 10; i++) remote.registerEvent({ seq: i });
    expect(await runtime.removeRecorder('jobs')).toBe(true);
    expect(seq.seen).toHaveLength(10);
    expect(exposed.stats()).toMatchObject({ open: 0, received: 10, lost: 0 });
    expect(() => runtime.exposeRecorder('jobs')).toThrow(/no recorder/);
    await runtime.shutdown();
  });

  test('counts what a connection never sent as lost once its port closes, and reports it', async () => {
    const { runtime, exposed, errors } = setup();
    const handle = exposed.handle({ batchSize: 4 });
    const remote = connectRecorder(handle, { onError: () => {} });
    for (let i = 0; i < 6; i++) remote.registerEvent({ type: 'job.done', kind: 'a' });
    // What a crash looks like from the owning side: the port closes with 2 events unsent.
    handle.port.close();
    await settled(() => expect(exposed.stats()).toMatchObject({ open: 0 }));
    expect(exposed.stats()).toMatchObject({
      open: 0,
      registered: 6,
      received: 4,
      lost: 2,
      inFlight: 0,
    });
    expect(errors.map((e) => e.code)).toContain('worker-events-lost');
    expect(runtime.getRecorder('jobs')?.state).toBe('running');
    await runtime.shutdown();
  });
});

describe('wiring', () => {
  test('exposeRecorder throws for an unknown recorder and returns one exposure per recorder', async () => {
    const { runtime, exposed } = setup();
    expect(() => runtime.exposeRecorder('nope')).toThrow(/no recorder of that name/);
    expect(runtime.exposeRecorder('jobs')).toBe(exposed);
    await runtime.shutdown();
    expect(() => runtime.exposeRecorder('jobs')).toThrow(/shut down/);
  });

  test('connectRecorder throws on something that is not a handle, or a handle used twice', async () => {
    const { runtime, exposed } = setup();
    expect(() => connectRecorder({} as never)).toThrow(/needs a handle/);
    const handle = exposed.handle();
    connectRecorder(handle);
    expect(() => connectRecorder(handle)).toThrow(/already connected/);
    await runtime.shutdown();
  });

  test('handle() validates its options', async () => {
    const { runtime, exposed } = setup();
    expect(() => exposed.handle({ batchSize: 0 })).toThrow(/batchSize/);
    expect(() => exposed.handle({ maxPendingEvents: 1.5 })).toThrow(/maxPendingEvents/);
    expect(() => exposed.handle({ overflow: 'drop-all' as never })).toThrow(/overflow/);
    await runtime.shutdown();
  });

  test('a handle is a plain structured-cloneable object with defaults from the recorder', async () => {
    const { runtime, exposed, recorder } = setup();
    const handle = exposed.handle();
    expect(handle).toMatchObject({
      kind: 'mvx-metrics.recorder-handle',
      recorder: 'jobs',
      maxPendingEvents: recorder.capacity,
      overflow: recorder.overflow,
    });
    expect(() => structuredClone(handle, { transfer: [handle.port] })).not.toThrow();
    await runtime.shutdown();
  });
});
