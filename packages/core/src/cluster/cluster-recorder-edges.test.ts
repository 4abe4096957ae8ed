// The worker's side of cluster mode at its edges: refusals and what they report, close(), a
// channel that refuses messages, the 'advanced' serialization, flush answers that are not ours,
// and the wiring checks of connectToPrimary. Over the in-memory FakeChannel.
import { serialize } from 'node:v8';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { FakeChannel, pumpUntil, tick } from '../../../../test/support/fake-ipc-channel.js';
import { type MetricsError, MetricsWiringError } from '../errors/index.js';
import { counter } from '../metrics/index.js';
import { MetricsRuntime } from '../runtime/index.js';
import { connectOver, connectToPrimary } from './connect-to-primary.js';
import type { IpcChannel } from './protocol.js';
import type { ClusterRecorderOptions } from './types.js';

function setup(
  options: { capacity?: number; batchSize?: number; overflow?: 'drop-oldest' | undefined } = {},
) {
  const errors: MetricsError[] = [];
  const runtime = new MetricsRuntime({
    namespace: 'edges',
    scheduler: 'sync',
    onError: (e) => errors.push(e),
  });
  const recorder = runtime.createRecorder('service', {
    metrics: [counter({ name: 'events', on: () => true })],
  });
  runtime.start();
  const primary = runtime.clusterPrimary();
  const channel = new FakeChannel();
  primary.attach(channel.primary);
  const workerErrors: MetricsError[] = [];
  const worker = connectOver(channel.worker, 'service', {
    maxPendingEvents: options.capacity ?? 64,
    batchSize: options.batchSize ?? 8,
    ...(options.overflow === undefined ? {} : { overflow: options.overflow }),
    onError: (e) => workerErrors.push(e),
  });
  return { runtime, recorder, primary, channel, worker, errors, workerErrors };
}

/** Whether `promise` has settled after the pending microtasks and one turn. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await tick();
  return done;
}

describe('a cluster recorder refuses and reports', () => {
  it('a non-object, counted as rejected (outside registered) and reported once with the value', async () => {
    const { primary, channel, worker, workerErrors } = setup();
    const junk = [null, undefined, 5, 'text', true, 1n, Symbol('s')];
    for (const value of junk) worker.registerEvent(value as unknown as object);
    worker.registerEvent({ type: 'x' });
    expect(worker.stats()).toMatchObject({ registered: 1, rejected: junk.length });
    expect(workerErrors.map((e) => e.code)).toEqual(['invalid-event']);
    expect(workerErrors[0]?.message).toContain('"service"');
    expect(workerErrors[0]?.message).toContain('rejected null');
    expect(await pumpUntil(channel, worker.flush())).toBe(true);
    // the primary learns the worker's refusals with its counters
    expect(primary.stats()).toMatchObject({ registered: 1, received: 1, rejected: junk.length });
  });

  it('after close(): every event rejected and reported once as event-after-stop; what was buffered is still sent', async () => {
    const { recorder, primary, channel, worker, workerErrors } = setup({ batchSize: 100 });
    for (let i = 0; i < 3; i++) worker.registerEvent({ type: 'x' });
    worker.close();
    worker.close();
    worker.registerEvent({ type: 'late' });
    worker.registerEvent({ type: 'later' });
    worker.registerEvent(null as unknown as object);
    expect(worker.stats()).toMatchObject({ registered: 3, rejected: 3, sent: 3, pending: 0 });
    expect(workerErrors.map((e) => e.code)).toEqual(['event-after-stop', 'invalid-event']);
    expect(workerErrors[0]?.message).toContain('"service" is closed');
    expect(workerErrors[0]?.message).toContain('late');
    // a flush after close resolves at once, the channel not pumped
    expect(await settled(worker.flush())).toBe(true);
    channel.drain();
    await tick();
    expect(recorder.stats().accepted).toBe(3);
    expect(channel.sent).toHaveLength(1);
    expect(primary.stats()).toMatchObject({ registered: 3, received: 3, inFlight: 0 });
  });

  it('a full buffer: the policy and the capacity in words, once, every drop counted', () => {
    for (const overflow of [undefined, 'drop-oldest'] as const) {
      const { worker, workerErrors } = setup({ capacity: 5, batchSize: 100, overflow });
      for (let i = 0; i < 20; i++) worker.registerEvent({ type: 'x' });
      expect(worker.stats()).toMatchObject({ registered: 20, dropped: 15, pending: 5 });
      expect(workerErrors.map((e) => e.code)).toEqual(['buffer-full']);
      expect(workerErrors[0]?.message).toContain('(5 events');
      expect(workerErrors[0]?.message).toContain(
        overflow === undefined ? 'dropping the newest' : 'dropping the oldest',
      );
    }
  });

  it('the primary gone: what was buffered is lost (the count in the report), later events dropped, flushes resolve at once', async () => {
    const { channel, worker, workerErrors } = setup({ batchSize: 100 });
    for (let i = 0; i < 6; i++) worker.registerEvent({ type: 'x' });
    const waiting = worker.flush(); // sends the 6: in flight
    for (let i = 0; i < 4; i++) worker.registerEvent({ type: 'x' });
    channel.killPrimary();
    expect(await settled(waiting)).toBe(true);
    expect(worker.stats()).toMatchObject({ registered: 10, sent: 6, lost: 4, pending: 0 });
    expect(workerErrors.map((e) => e.code)).toEqual(['primary-gone']);
    expect(workerErrors[0]?.message).toContain('4 buffered event(s) lost');
    worker.registerEvent({ type: 'x' });
    expect(await settled(worker.flush())).toBe(true);
    expect(worker.stats()).toMatchObject({ registered: 11, dropped: 1, lost: 4, inFlight: 0 });
    expect(workerErrors).toHaveLength(1);
  });

  it('a channel that refuses every message: its events unserialisable, reported with the cause, a waiting flush settled', async () => {
    const channel = new FakeChannel();
    channel.worker.send = () => {
      throw new Error('channel refused it');
    };
    const errors: MetricsError[] = [];
    const worker = connectOver(channel.worker, 'service', {
      batchSize: 100,
      flushTimeoutMs: 60_000,
      onError: (e) => errors.push(e),
    });
    for (let i = 0; i < 5; i++) worker.registerEvent({ type: 'x', i });
    expect(await settled(worker.flush())).toBe(true);
    expect(worker.stats()).toMatchObject({
      registered: 5,
      sent: 0,
      unserialisable: 5,
      pending: 0,
      inFlight: 0,
      flushesTimedOut: 0,
    });
    expect(errors.map((e) => e.code)).toEqual(['event-not-cloneable']);
    expect(errors[0]?.message).toContain('channel refused it');
    expect(errors[0]?.message).toContain('"service"');
    expect(channel.worker.listenerCount('message')).toBe(0);
  });

  it('with a flush and nothing serialisable: the flush still rides on a message, and is answered', async () => {
    const { recorder, primary, channel, worker, workerErrors } = setup({ batchSize: 100 });
    worker.registerEvent({ type: 'x', n: 1n });
    worker.registerEvent({ type: 'x', n: 2n });
    expect(await pumpUntil(channel, worker.flush())).toBe(true);
    expect(worker.stats()).toMatchObject({ unserialisable: 2, sent: 0, flushesTimedOut: 0 });
    expect(channel.sent.map((m) => (m.e as unknown[]).length + (m.v as unknown[]).length)).toEqual([
      0,
    ]);
    expect(recorder.stats().accepted).toBe(0);
    expect(primary.stats()).toMatchObject({ registered: 2, unserialisable: 2, inFlight: 0 });
    expect(workerErrors[0]?.message).toMatch(/BigInt/);
  });
});

describe("the 'advanced' channel serialization", () => {
  it('counts only the events the structured clone refuses (a function), and sends the rest', async () => {
    const previous = process.env.NODE_CHANNEL_SERIALIZATION_MODE;
    process.env.NODE_CHANNEL_SERIALIZATION_MODE = 'advanced';
    try {
      const channel = new FakeChannel();
      const messages: object[] = [];
      // Node's advanced mode: the structured clone (v8.serialize) of the message, which throws for a function.
      channel.worker.send = (message: object, callback?: (error: Error | null) => void) => {
        serialize(message);
        messages.push(message);
        queueMicrotask(() => callback?.(null));
        return true;
      };
      const errors: MetricsError[] = [];
      const worker = connectOver(channel.worker, 'service', {
        batchSize: 100,
        onError: (e) => errors.push(e),
      });
      worker.registerEvent({ type: 'x', n: 1n }); // a BigInt clones in advanced mode
      worker.registerEvent({ type: 'x', f: () => 1 });
      worker.registerEvent({ type: 'x' });
      worker.close();
      expect(worker.stats()).toMatchObject({ registered: 3, sent: 2, unserialisable: 1 });
      expect(messages).toHaveLength(1);
      expect(errors.map((e) => e.code)).toEqual(['event-not-cloneable']);
    } finally {
      if (previous === undefined) delete process.env.NODE_CHANNEL_SERIALIZATION_MODE;
      else process.env.NODE_CHANNEL_SERIALIZATION_MODE = previous;
    }
  });
});

describe('flush answers', () => {
  it("settle only this recorder's flush: another name, a missing or non-numeric id, an application message settle nothing", async () => {
    const channel = new FakeChannel(); // no primary: answers are made up here
    const worker = connectOver(channel.worker, 'service', { flushTimeoutMs: 60_000 });
    worker.registerEvent({ type: 'x' });
    const flushed = worker.flush();
    for (const message of [
      { mvx: 'mvx-metrics.cluster/3', r: 'other', f: 1 },
      { mvx: 'mvx-metrics.cluster/3', r: 'service' },
      { mvx: 'mvx-metrics.cluster/3', r: 'service', f: '1' },
      { mvx: 'app', r: 'service', f: 1 },
      { r: 'service', f: 1 },
      null,
      'mvx-metrics.cluster/3',
    ]) {
      channel.worker.emit('message', message);
    }
    expect(await settled(flushed)).toBe(false);
    // an answer of an earlier version still settles it (a newer worker under an older primary)
    channel.worker.emit('message', { mvx: 'mvx-metrics.cluster/2', r: 'service', f: 1 });
    expect(await settled(flushed)).toBe(true);
    expect(worker.stats().flushesTimedOut).toBe(0);
    expect(channel.worker.listenerCount('message')).toBe(0);
  });

  it('an answer settles every flush up to its id and none after it', async () => {
    const channel = new FakeChannel();
    const worker = connectOver(channel.worker, 'service', { flushTimeoutMs: 60_000 });
    const flushes = [1, 2, 3].map(() => {
      worker.registerEvent({ type: 'x' });
      return worker.flush();
    });
    channel.worker.emit('message', { mvx: 'mvx-metrics.cluster/3', r: 'service', f: 2 });
    expect(await Promise.all(flushes.map(settled))).toEqual([true, true, false]);
    expect(channel.worker.listenerCount('message')).toBe(1);
    channel.worker.emit('message', { mvx: 'mvx-metrics.cluster/3', r: 'service', f: 3 });
    expect(await settled(flushes[2] as Promise<void>)).toBe(true);
    expect(channel.worker.listenerCount('message')).toBe(0);
  });

  it('a flush timeout beyond the longest Node timer waits for the answer (no early timeout, no warning)', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const { channel, worker, workerErrors } = setup();
      worker.registerEvent({ type: 'x' });
      const flushed = worker.flush({ timeoutMs: 2 ** 31 });
      // Node would run an overflowing timer after 1 ms: wait past that, the channel not pumped.
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(await settled(flushed)).toBe(false);
      expect(await pumpUntil(channel, flushed)).toBe(true);
      expect(worker.stats().flushesTimedOut).toBe(0);
      expect(workerErrors).toEqual([]);
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('the flush-timeout report names the recorder and the timeout', async () => {
    const channel = new FakeChannel();
    const errors: MetricsError[] = [];
    const worker = connectOver(channel.worker, 'orders', {
      flushTimeoutMs: 3,
      onError: (e) => errors.push(e),
    });
    await worker.flush();
    expect(errors.map((e) => e.code)).toEqual(['flush-timeout']);
    expect(errors[0]?.message).toContain('"orders"');
    expect(errors[0]?.message).toContain('within 3 ms');
    expect(worker.stats().flushesTimedOut).toBe(1);
  });
});

describe('connectToPrimary wiring checks', () => {
  it('refuses a name that is not a non-empty string, quoting it', () => {
    const channel = new FakeChannel();
    const described: [unknown, string][] = [
      ['', 'got "".'],
      [undefined, 'got undefined.'],
      [null, 'got null.'],
      [5, 'got 5.'],
      [{}, 'got an object.'],
      [10n, 'got 10n.'],
    ];
    for (const [name, words] of described) {
      let thrown: unknown;
      try {
        connectOver(channel.worker, name as string);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(MetricsWiringError);
      expect((thrown as MetricsWiringError).code).toBe('invalid-recorder-name');
      expect((thrown as Error).message).toContain(words);
    }
  });

  it('refuses a channel that is closed or cannot send, as no-ipc-channel', () => {
    const closed = new FakeChannel();
    closed.connected = false;
    const noSend = new FakeChannel();
    (noSend.worker as { send?: unknown }).send = 'not a function';
    for (const channel of [closed, noSend]) {
      let thrown: unknown;
      try {
        connectOver(channel.worker, 'service');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(MetricsWiringError);
      expect((thrown as MetricsWiringError).code).toBe('no-ipc-channel');
      expect((thrown as Error).message).toContain('connectToPrimary("service")');
    }
  });

  it('takes the defaults for options left out or undefined, and every valid value as given (property)', () => {
    const channel = new FakeChannel();
    const defaults = connectOver(channel.worker, 'service');
    expect([defaults.capacity, defaults.batchSize, defaults.overflow]).toEqual([
      65_536,
      2_048,
      'drop-newest',
    ]);
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 5_000 }), { nil: undefined }),
        fc.option(fc.constantFrom('drop-newest', 'drop-oldest') as fc.Arbitrary<'drop-newest'>, {
          nil: undefined,
        }),
        (maxPendingEvents, batch, overflow) => {
          const batchSize =
            batch === undefined ? undefined : Math.min(batch, maxPendingEvents ?? 65_536);
          // Options set to undefined, as a caller spreading its own config would.
          const worker = connectOver(channel.worker, 'service', {
            maxPendingEvents,
            batchSize,
            overflow,
          } as ClusterRecorderOptions);
          expect(worker.capacity).toBe(maxPendingEvents ?? 65_536);
          expect(worker.batchSize).toBe(batchSize ?? 2_048);
          expect(worker.overflow).toBe(overflow ?? 'drop-newest');
          expect(worker.stats().capacity).toBe(worker.capacity);
          expect(worker.name).toBe('service');
        },
      ),
    );
  });
});

describe('a cluster recorder and its channel', () => {
  it('takes a send callback called with no argument as success (an IPC shim that calls back empty)', async () => {
    const { recorder, channel, worker } = setup({ batchSize: 2 });
    const send = channel.worker.send?.bind(channel.worker);
    channel.worker.send = (message: object, callback?: (error: Error | null) => void) =>
      send?.(message, () => (callback as unknown as () => void)?.()) ?? false;
    for (let i = 0; i < 7; i++) worker.registerEvent({ type: 'x' });
    expect(await pumpUntil(channel, worker.flush())).toBe(true);
    expect(recorder.stats().accepted).toBe(7);
    expect(worker.stats()).toMatchObject({ sent: 7, pending: 0, inFlight: 0, lost: 0 });
  });

  it('finds the primary gone when a flush starts after the channel closed unnoticed: resolves at once, the buffered events lost', async () => {
    const { channel, worker, workerErrors } = setup({ batchSize: 100 });
    for (let i = 0; i < 3; i++) worker.registerEvent({ type: 'x' });
    channel.connected = false; // no flush waited: nobody listened for 'disconnect'
    expect(await settled(worker.flush())).toBe(true);
    expect(worker.stats()).toMatchObject({
      registered: 3,
      lost: 3,
      pending: 0,
      flushesTimedOut: 0,
    });
    expect(workerErrors.map((e) => e.code)).toEqual(['primary-gone']);
    expect(channel.worker.listenerCount('message')).toBe(0);
  });

  it('finds the primary gone when the channel end has no connected flag and loses its send', async () => {
    const sent: object[] = [];
    const end: IpcChannel = {
      send: (message: object, callback?: (error: Error | null) => void): boolean => {
        sent.push(message);
        queueMicrotask(() => callback?.(null));
        return true;
      },
      on: () => undefined,
      off: () => undefined,
    };
    const errors: MetricsError[] = [];
    const worker = connectOver(end, 'service', { batchSize: 100, onError: (e) => errors.push(e) });
    worker.registerEvent({ type: 'x' });
    await tick();
    expect(sent).toHaveLength(1);
    worker.registerEvent({ type: 'x' });
    (end as { send?: unknown }).send = undefined;
    expect(await settled(worker.flush())).toBe(true);
    worker.registerEvent({ type: 'x' });
    expect(worker.stats()).toMatchObject({ registered: 3, sent: 1, lost: 1, dropped: 1 });
    expect(errors.map((e) => e.code)).toEqual(['primary-gone']);
  });

  it('refuses a bad flush timeout per call naming the recorder and the option; takes no options, undefined or null', async () => {
    const { channel, worker } = setup();
    let thrown: unknown;
    try {
      void worker.flush({ timeoutMs: -5 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MetricsWiringError);
    expect((thrown as MetricsWiringError).code).toBe('invalid-option');
    expect((thrown as Error).message).toContain('Cluster recorder "service": flush()');
    expect((thrown as Error).message).toContain('timeoutMs must be a positive number');
    worker.registerEvent({ type: 'x' });
    for (const options of [undefined, null, {}]) {
      expect(await pumpUntil(channel, worker.flush(options as never))).toBe(true);
    }
    expect(worker.stats().flushesTimedOut).toBe(0);
  });

  it('a flush that times out leaves the others listening for their answer', async () => {
    const { recorder, channel, worker } = setup();
    worker.registerEvent({ type: 'x' });
    const short = worker.flush({ timeoutMs: 1 });
    worker.registerEvent({ type: 'x' });
    const long = worker.flush({ timeoutMs: 60_000 });
    await short; // the channel not pumped: it times out
    expect(worker.stats().flushesTimedOut).toBe(1);
    expect(channel.worker.listenerCount('message')).toBe(1);
    expect(await pumpUntil(channel, long)).toBe(true);
    expect(worker.stats().flushesTimedOut).toBe(1);
    expect(recorder.stats().accepted).toBe(2);
  });

  it('a flush timeout of the longest Node timer (2^31 - 1 ms) still fires', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const channel = new FakeChannel();
      const errors: MetricsError[] = [];
      const worker = connectOver(channel.worker, 'service', { onError: (e) => errors.push(e) });
      const flushed = worker.flush({ timeoutMs: 2 ** 31 - 1 });
      vi.advanceTimersByTime(2 ** 31 - 2);
      expect(await settled(flushed)).toBe(false);
      vi.advanceTimersByTime(1);
      expect(await settled(flushed)).toBe(true);
      expect(worker.stats().flushesTimedOut).toBe(1);
      expect(errors[0]?.message).toContain(`within ${2 ** 31 - 1} ms`);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('connectToPrimary', () => {
  it("sends over this process' own IPC channel", () => {
    const own = Object.getOwnPropertyDescriptor(process, 'send');
    const sent: { mvx?: string; r?: string }[] = [];
    Object.defineProperty(process, 'send', {
      configurable: true,
      writable: true,
      // The test runner may talk over this process' channel meanwhile: its messages go on as they were.
      value(message: object, ...rest: unknown[]) {
        const tagged = message as { mvx?: string; r?: string };
        if (typeof tagged.mvx !== 'string' || !tagged.mvx.startsWith('mvx-metrics.')) {
          const original = own?.value as ((...args: unknown[]) => boolean) | undefined;
          return original?.call(process, message, ...rest) ?? false;
        }
        sent.push(tagged);
        const callback = rest.find((arg) => typeof arg === 'function') as
          | ((error: Error | null) => void)
          | undefined;
        // Node calls back asynchronously, after the write
        if (callback !== undefined) queueMicrotask(() => callback(null));
        return true;
      },
    });
    try {
      const worker = connectToPrimary('service', { batchSize: 1, onError: () => {} });
      worker.registerEvent({ type: 'x' });
      worker.close();
    } finally {
      if (own === undefined) delete (process as { send?: unknown }).send;
      else Object.defineProperty(process, 'send', own);
    }
    expect(sent.map((m) => [m.mvx, m.r])).toEqual([['mvx-metrics.cluster/3', 'service']]);
  });
});
