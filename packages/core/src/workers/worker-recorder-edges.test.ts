// The worker side of a connection at its edges: what it reports (each problem once, by code, in
// words naming the recorder), what it does once the owning side has gone, whether a pending
// flush keeps the worker alive, and two flushes pending at once. Both ends in one thread, as in
// worker-recorder.test.ts.
import { describe, expect, test, vi } from 'vitest';
import type { MetricsError } from '../errors/index.js';
import { counter } from '../metrics/index.js';
import { MetricsRuntime } from '../runtime/index.js';
import { findPoint } from '../snapshots/index.js';
import type { NumberPoint } from '../snapshots/types.js';
import { connectRecorder } from './connect-recorder.js';

const settled = (check: () => void) => vi.waitFor(check, { timeout: 10_000, interval: 5 });
/** MessagePort#hasRef (Node 18.1+; not in @types/node's MessagePort). */
const referenced = (port: object) => (port as { hasRef(): boolean }).hasRef();

function setup() {
  const runtime = new MetricsRuntime({ namespace: 'test', onError: () => {} });
  runtime.start();
  const recorder = runtime.createRecorder('jobs', {
    metrics: [
      counter({
        name: 'jobs.done',
        on: 'job.done',
        attributes: (e) => ({ kind: (e as { kind: string }).kind }),
      }),
    ],
  });
  const exposed = runtime.exposeRecorder('jobs');
  const errors: MetricsError[] = [];
  const onError = (error: MetricsError) => errors.push(error);
  return { runtime, recorder, exposed, errors, onError };
}

const done = (recorder: ReturnType<typeof setup>['recorder'], kind: string) =>
  (findPoint(recorder.getMetricSnapshots(), 'jobs.done', { kind }) as NumberPoint | undefined)
    ?.value;

describe('worker-side recorder, edges', () => {
  test('reports an invalid event and an event after close once each, by code, naming the recorder', async () => {
    const { runtime, exposed, errors, onError } = setup();
    const remote = connectRecorder(exposed.handle(), { onError });
    remote.registerEvent(7 as unknown as object);
    remote.registerEvent('x' as unknown as object);
    remote.close();
    remote.registerEvent({ type: 'job.done', kind: 'a' });
    remote.registerEvent({ type: 'job.done', kind: 'b' });
    expect(remote.stats()).toMatchObject({ registered: 0, rejected: 4 });
    expect(errors.map((error) => error.code)).toEqual(['invalid-event', 'event-after-stop']);
    expect(errors[0]?.message).toBe(
      'Worker recorder "jobs" rejected 7: an event must be a non-null object. Counted in stats().rejected.',
    );
    expect(errors[1]?.message).toMatch(
      /^Worker recorder "jobs" is closed and rejected event .+\. Counted in stats\(\)\.rejected\.$/,
    );
    await runtime.shutdown();
  });

  test.each([
    ['drop-newest', 'newest'],
    ['drop-oldest', 'oldest'],
  ] as const)(
    'says what a full buffer drops under %s, with the capacity',
    async (overflow, loses) => {
      const { runtime, exposed, errors, onError } = setup();
      const remote = connectRecorder(
        exposed.handle({ maxPendingEvents: 10, batchSize: 4, overflow }),
        { onError },
      );
      for (let i = 0; i < 15; i++) remote.registerEvent({ type: 'job.done', kind: 'a' });
      expect(remote.stats().dropped).toBe(5);
      expect(errors.map((error) => error.message)).toEqual([
        `Worker recorder "jobs" is full (10 events buffered or in flight); dropping the ${loses} events. Counted in stats().dropped.`,
      ]);
      await remote.flush();
      await runtime.shutdown();
    },
  );

  test('once the owning side has shut down, later events are rejected as after stop and flush resolves at once', async () => {
    const { runtime, exposed, errors, onError } = setup();
    const remote = connectRecorder(exposed.handle(), { onError });
    await runtime.shutdown();
    // The port's close reaches this side on a later turn.
    await settled(() => {
      remote.registerEvent({ type: 'job.done', kind: 'a' });
      expect(remote.stats().rejected).toBeGreaterThan(0);
    });
    expect(errors.map((error) => error.code)).toContain('event-after-stop');
    await expect(remote.flush()).resolves.toBeUndefined();
    expect(remote.stats()).toMatchObject({ pending: 0, inFlight: 0 });
  });

  test('a port closed under a pending flush (what a crash of the owning side looks like) resolves it and stops the connection', async () => {
    const { runtime, exposed, errors, onError } = setup();
    const handle = exposed.handle();
    const remote = connectRecorder(handle, { onError });
    const pending = remote.flush();
    handle.port.close();
    await expect(pending).resolves.toBeUndefined();
    remote.registerEvent({ type: 'job.done', kind: 'a' });
    expect(remote.stats()).toMatchObject({ registered: 0, rejected: 1, pending: 0 });
    expect(errors.map((error) => error.code)).toEqual(['event-after-stop']);
    await runtime.shutdown();
  });

  test('only a pending flush keeps the port (and so a worker) alive', async () => {
    const { runtime, exposed } = setup();
    const handle = exposed.handle();
    const remote = connectRecorder(handle);
    expect(referenced(handle.port)).toBe(false);
    remote.registerEvent({ type: 'job.done', kind: 'a' });
    const only = remote.flush();
    expect(referenced(handle.port)).toBe(true);
    await only;
    expect(referenced(handle.port)).toBe(false);
    const first = remote.flush();
    expect(referenced(handle.port)).toBe(true);
    const second = remote.flush();
    expect(referenced(handle.port)).toBe(true);
    await first;
    await second;
    expect(referenced(handle.port)).toBe(false);
    await runtime.shutdown();
  });

  test('two flushes pending at once: each resolves after the events registered before it', async () => {
    const { runtime, recorder, exposed } = setup();
    const remote = connectRecorder(exposed.handle({ batchSize: 1_000 }));
    for (let i = 0; i < 100; i++) remote.registerEvent({ type: 'job.done', kind: 'a' });
    const first = remote.flush();
    for (let i = 0; i < 50; i++) remote.registerEvent({ type: 'job.done', kind: 'b' });
    const second = remote.flush();
    await second;
    expect(done(recorder, 'b')).toBe(50);
    await first;
    expect(done(recorder, 'a')).toBe(100);
    await runtime.shutdown();
  });

  test('sends each partial batch on a later turn, turn after turn, without a flush', async () => {
    const { runtime, exposed } = setup();
    const remote = connectRecorder(exposed.handle());
    for (let turn = 1; turn <= 3; turn++) {
      remote.registerEvent({ type: 'job.done', kind: 'a' });
      await settled(() => expect(remote.stats()).toMatchObject({ pending: 0, sent: turn }));
    }
    await runtime.shutdown();
  });

  test('a batch of events that cannot be cloned sends nothing: no empty batch reaches the owner', async () => {
    const { runtime, exposed, onError } = setup();
    const remote = connectRecorder(exposed.handle({ batchSize: 2 }), { onError });
    remote.registerEvent({ type: 'job.done', kind: 'a', fn: () => 1 });
    remote.registerEvent({ type: 'job.done', kind: 'a', sym: Symbol('x') });
    await remote.flush();
    expect(remote.stats()).toMatchObject({ sent: 0, uncloneable: 2 });
    expect(exposed.stats()).toMatchObject({ received: 0, batches: 0, uncloneable: 2 });
    await runtime.shutdown();
  });

  test('what a batch with an uncloneable event sends still counts against the capacity (buffered + in flight)', async () => {
    const { runtime, exposed, onError } = setup();
    const remote = connectRecorder(
      exposed.handle({ maxPendingEvents: 6, batchSize: 3, overflow: 'drop-newest' }),
      { onError },
    );
    remote.registerEvent({ type: 'job.done', kind: 'a', fn: () => 1 });
    remote.registerEvent({ type: 'job.done', kind: 'a' });
    remote.registerEvent({ type: 'job.done', kind: 'a' }); // full batch: 2 sent, 1 refused
    // The owner cannot receive before this loop ends: 4 more fit, the rest is dropped.
    for (let i = 0; i < 10; i++) remote.registerEvent({ type: 'job.done', kind: 'b' });
    const { inFlight, pending, dropped } = remote.stats();
    expect(inFlight + pending).toBe(6);
    expect(dropped).toBe(6);
    await remote.flush();
    await runtime.shutdown();
  });

  test('credit comes back once the owner has received: after a full buffer drained, new events are taken', async () => {
    for (const overflow of ['drop-newest', 'drop-oldest'] as const) {
      const { runtime, exposed, onError } = setup();
      const remote = connectRecorder(
        exposed.handle({ maxPendingEvents: 10, batchSize: 4, overflow }),
        { onError },
      );
      for (let i = 0; i < 10; i++) remote.registerEvent({ type: 'job.done', kind: 'a' });
      expect(remote.stats().dropped).toBe(0);
      await remote.flush();
      for (let i = 0; i < 10; i++) remote.registerEvent({ type: 'job.done', kind: 'b' });
      expect(remote.stats()).toMatchObject({ dropped: 0, registered: 20 });
      await remote.flush();
      expect(exposed.stats()).toMatchObject({ received: 20, dropped: 0 });
      await runtime.shutdown();
    }
  });
});
