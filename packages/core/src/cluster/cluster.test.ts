import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FakeChannel,
  pumpUntilSettled as pumpUntil,
  connectedCluster as setup,
  tick,
} from '../../../../test/support/fake-ipc-channel.js';
import { MetricsError, MetricsWiringError } from '../errors/index.js';
import { BatchFormatError } from '../events/batch-decoder.js';
import { counter } from '../metrics/index.js';
import { MetricsRuntime } from '../runtime/index.js';
import { MAX_MESSAGES_IN_FLIGHT } from './cluster-recorder.js';
import { connectOver } from './connect-to-primary.js';

const PROTO_NAMES = Object.getOwnPropertyNames(Object.prototype);

describe('cluster transport (in-memory channel)', () => {
  it('delivers events in batches into the primary recorder and answers flush', async () => {
    const { recorder, primary, channel, worker } = setup();
    for (let i = 0; i < 20; i++) worker.registerEvent({ type: 'x', i });
    const flushed = worker.flush();
    for (let i = 0; i < 20; i++) {
      channel.pump();
      await tick();
    }
    await flushed;
    expect(recorder.stats().accepted).toBe(20);
    expect(primary.stats()).toMatchObject({ registered: 20, received: 20, inFlight: 0, lost: 0 });
    expect(worker.stats()).toMatchObject({ registered: 20, sent: 20, pending: 0, inFlight: 0 });
  });

  it('resolves a flush only once every event registered before it is in the primary, with many batches queued', async () => {
    const { recorder, channel, worker } = setup({ capacity: 1000, batchSize: 4 });
    for (let i = 0; i < 40; i++) worker.registerEvent({ type: 'x' }); // 10 batches, one being written
    let acceptedAtResolve = -1;
    const flushed = worker.flush().then(() => {
      acceptedAtResolve = recorder.stats().accepted;
    });
    worker.registerEvent({ type: 'x' }); // after the flush: not waited for
    await pumpUntil(channel, flushed);
    expect(acceptedAtResolve).toBeGreaterThanOrEqual(40);
  });

  it('counts what a killed worker announced but never delivered as lost, and reports it once', async () => {
    const { runtime, recorder, primary, channel, worker, errors } = setup({
      capacity: 1000,
      batchSize: 4,
    });
    for (let i = 0; i < 10; i++) worker.registerEvent({ type: 'x' });
    // The 4th event sends batch 1 (announcing 4); once it is written, batch 2 (4 events,
    // announcing all 10) goes; once that is written, batch 3 (2 events). Killed while batch 3 is
    // still being written: batches 1 and 2 arrive, batch 3 never does.
    channel.pump();
    channel.pump();
    channel.kill();
    await tick();
    expect(recorder.stats().accepted).toBe(8);
    const s = primary.stats();
    expect(s).toMatchObject({ registered: 10, received: 8, lost: 2, connected: 0 });
    const lost = errors.filter((e) => e.code === 'worker-events-lost');
    expect(lost).toHaveLength(1);
    expect(lost[0]?.message).toContain('2 event(s)');
    // self-telemetry, exported like any metric: outcomes and workers connected
    const telemetry = runtime.getRecorder('mvx_cluster');
    await telemetry?.flush();
    const [events, workers] = telemetry?.getMetricSnapshots() ?? [];
    const outcome = (name: string) => {
      const point = events?.points.find((p) => p.attributes.outcome === name);
      return (point as { value: number } | undefined)?.value;
    };
    expect([outcome('received'), outcome('lost'), outcome('dropped')]).toEqual([8, 2, 0]);
    const connected = workers?.points[0] as { value: number } | undefined;
    expect(connected?.value).toBe(0);
  });

  it('writes up to MAX_MESSAGES_IN_FLIGHT messages at once in a synchronous burst, all counted against the bound, and counts what a kill loses', async () => {
    const { recorder, primary, channel, worker, errors } = setup({ capacity: 1000, batchSize: 4 });
    let messages = 0;
    const send = channel.worker.send?.bind(channel.worker);
    channel.worker.send = (message: object, callback?: (error: Error | null) => void) => {
      messages++;
      return send?.(message, callback) ?? false;
    };
    // One message at the 4th event; then another only once two whole batches wait behind the one
    // being built (the 16th event, then every 4th), up to the bound: none of their callbacks can
    // come inside the loop.
    for (let i = 0; i < 40; i++) {
      worker.registerEvent({ type: 'x' });
      if (i === 10) expect(messages).toBe(1);
    }
    expect(messages).toBe(MAX_MESSAGES_IN_FLIGHT);
    expect(worker.stats()).toMatchObject({
      registered: 40,
      inFlight: 4 * MAX_MESSAGES_IN_FLIGHT,
      pending: 40 - 4 * MAX_MESSAGES_IN_FLIGHT,
    });
    // Written: each callback sends one more full batch (announcing all 40); then killed, so the
    // first messages arrive and those being written never do. The latest message that arrived
    // was built at event 8 + 4 × MAX_MESSAGES_IN_FLIGHT and announced that many: the 8 events
    // behind it are lost; those after it existed only in the killed process (the window no
    // process can count).
    channel.pump();
    expect(messages).toBe(2 * MAX_MESSAGES_IN_FLIGHT);
    channel.kill();
    await tick();
    const delivered = 4 * MAX_MESSAGES_IN_FLIGHT;
    const announced = 8 + 4 * MAX_MESSAGES_IN_FLIGHT;
    expect(recorder.stats().accepted).toBe(delivered);
    expect(primary.stats()).toMatchObject({
      registered: announced,
      received: delivered,
      lost: 8,
      dropped: 0,
      inFlight: 0,
    });
    const lost = errors.filter((e) => e.code === 'worker-events-lost');
    expect(lost).toHaveLength(1);
    expect(lost[0]?.message).toContain('8 event(s)');
  });

  it('never holds more than its bound buffered and being written, however many messages are in flight', () => {
    const { channel, worker } = setup({ capacity: 20, batchSize: 4 });
    for (let i = 0; i < 100; i++) {
      worker.registerEvent({ type: 'x' });
      const s = worker.stats();
      expect(s.pending + s.inFlight).toBeLessThanOrEqual(20);
      if (i % 30 === 0) channel.pump();
    }
    const s = worker.stats();
    expect(s.registered).toBe(s.sent + s.dropped + s.pending);
    expect(s.dropped).toBeGreaterThan(0);
  });

  it('sets workerProperty to the worker label and revives events before the recorder sees them', async () => {
    const runtime = new MetricsRuntime({ namespace: 't', scheduler: 'sync' });
    const seen: object[] = [];
    runtime.createRecorder('service', {
      metrics: [
        counter({
          name: 'events',
          on: (e) => {
            seen.push(e);
            return true;
          },
        }),
      ],
    });
    runtime.start();
    class Revived {}
    const primary = runtime.clusterPrimary({
      workerProperty: 'worker',
      revive: (e) => Object.assign(new Revived(), e),
    });
    const channel = new FakeChannel(77);
    primary.attach(channel.primary, { label: 'slot-1' });
    const worker = connectOver(channel.worker, 'service');
    worker.registerEvent({ type: 'x' });
    const flushed = worker.flush();
    await pumpUntil(channel, flushed);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(Revived);
    expect(seen[0]).toMatchObject({ type: 'x', worker: 'slot-1' });
  });

  it('hands the primary every property value with its type: numbers stay numbers, booleans booleans, numeric strings strings (property)', async () => {
    // What a metric's `value`/`attributes` functions see in the primary is what the worker
    // registered, as JSON carries it (NaN and ±Infinity become null, -0 becomes 0).
    const typed = fc.oneof(
      fc.integer(),
      fc.double(),
      fc.constantFrom(2 ** 53, -(2 ** 53), 1e21, 5e-324, -0, 0.1, Number.MAX_VALUE),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom('1', '0', '1.5', 'true', 'null', ''),
      fc.string({ maxLength: 4 }),
    );
    const events = fc.array(fc.dictionary(fc.constantFrom(...PROTO_NAMES, 'n', 'flag'), typed), {
      minLength: 1,
      maxLength: 30,
    });
    await fc.assert(
      fc.asyncProperty(events, fc.integer({ min: 1, max: 8 }), async (sent, batchSize) => {
        const runtime = new MetricsRuntime({ namespace: 't', scheduler: 'sync' });
        const seen: object[] = [];
        runtime.createRecorder('service', {
          metrics: [counter({ name: 'events', on: (e) => seen.push(e) > 0 })],
        });
        runtime.start();
        const channel = new FakeChannel();
        runtime.clusterPrimary().attach(channel.primary);
        const worker = connectOver(channel.worker, 'service', { batchSize });
        for (const event of sent) worker.registerEvent(event);
        await pumpUntil(channel, worker.flush());
        expect(seen).toHaveLength(sent.length);
        for (let i = 0; i < sent.length; i++) {
          const expected = JSON.parse(JSON.stringify(sent[i])) as Record<string, unknown>;
          const got = seen[i] as Record<string, unknown>;
          expect(Object.keys(got)).toEqual(Object.keys(expected));
          for (const key of Object.keys(expected)) {
            expect(typeof got[key]).toBe(typeof expected[key]);
            expect(Object.is(got[key], expected[key])).toBe(true);
          }
        }
        await runtime.shutdown();
      }),
      { numRuns: 100 },
    );
  });

  it('drops and counts every event once the primary is gone, and never throws', async () => {
    const { channel, worker, workerErrors } = setup();
    for (let i = 0; i < 5; i++) worker.registerEvent({ type: 'x' });
    channel.killPrimary();
    await tick();
    for (let i = 0; i < 1000; i++) worker.registerEvent({ type: 'x' });
    await worker.flush();
    const s = worker.stats();
    expect(s.pending).toBe(0);
    expect(s.registered).toBe(1005);
    expect(s.registered).toBe(s.sent + s.dropped + s.lost + s.unserialisable);
    expect(s.dropped + s.lost).toBe(1005);
    expect(workerErrors.map((e) => e.code)).toContain('primary-gone');
  });

  it('counts an event the channel cannot serialise and still sends the rest', async () => {
    const { recorder, channel, worker, workerErrors } = setup();
    worker.registerEvent({ type: 'x' });
    worker.registerEvent({ type: 'x', big: 1n });
    worker.registerEvent({ type: 'x' });
    const flushed = worker.flush();
    await pumpUntil(channel, flushed);
    expect(recorder.stats().accepted).toBe(2);
    expect(worker.stats().unserialisable).toBe(1);
    expect(workerErrors.map((e) => e.code)).toContain('event-not-cloneable');
  });

  it('keeps the books balanced on both sides whatever happens (property)', async () => {
    const key = fc.oneof(fc.constantFrom(...PROTO_NAMES), fc.string({ maxLength: 6 }));
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('event' as const),
        key,
        value: fc.oneof(fc.integer(), fc.string(), fc.double()),
      }),
      fc.record({
        kind: fc.constant('bad' as const),
        value: fc.constantFrom(null, 1, 'x', undefined),
      }),
      fc.record({ kind: fc.constant('pump' as const) }),
      fc.record({ kind: fc.constant('tick' as const) }),
      fc.record({ kind: fc.constant('flush' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { maxLength: 120 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 16 }),
        fc.constantFrom('drop-newest', 'drop-oldest'),
        fc.constantFrom('kill', 'close', 'primary-dies'),
        async (ops, capacity, batchSize, overflow, end) => {
          const errors: MetricsError[] = [];
          const runtime = new MetricsRuntime({
            namespace: 'p',
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
          const worker = connectOver(channel.worker, 'service', {
            maxPendingEvents: capacity,
            batchSize,
            overflow: overflow as 'drop-newest',
            onError: () => {},
          });
          const pendingFlushes: Promise<void>[] = [];
          let flushBroken = '';
          for (const o of ops) {
            if (o.kind === 'event') worker.registerEvent({ [o.key]: o.value, type: 'x' });
            else if (o.kind === 'bad') worker.registerEvent(o.value as unknown as object);
            else if (o.kind === 'pump') channel.pump();
            else if (o.kind === 'tick') await tick();
            else {
              // When a flush resolves (with the primary still there: a dead primary resolves every
              // flush at once), every event registered before it is in the primary's recorder, or
              // counted as dropped / unserialisable / lost by the worker.
              const before = worker.stats().registered;
              pendingFlushes.push(
                worker.flush().then(() => {
                  const w = worker.stats();
                  const accounted =
                    recorder.stats().accepted + w.dropped + w.unserialisable + w.lost;
                  if (channel.connected && accounted < before)
                    flushBroken = `flush resolved with ${accounted} of ${before} accounted`;
                }),
              );
            }
            const w = worker.stats();
            expect(w.registered).toBe(w.sent + w.dropped + w.unserialisable + w.lost + w.pending);
            expect(w.pending + w.inFlight).toBeLessThanOrEqual(capacity);
            const p = primary.stats();
            expect(p.registered).toBe(
              p.received + p.dropped + p.unserialisable + p.inFlight + p.lost,
            );
          }
          if (end === 'close') {
            worker.close();
            for (let i = 0; i < 50; i++) {
              channel.pump();
              await tick();
            }
            await Promise.all(pendingFlushes);
            const w = worker.stats();
            expect(w.pending).toBe(0);
            expect(primary.stats()).toMatchObject({ inFlight: 0, registered: w.registered - 0 });
          } else if (end === 'kill') {
            channel.kill();
          } else {
            channel.killPrimary();
            await Promise.all(pendingFlushes);
          }
          const p = primary.stats();
          expect(p.registered).toBe(
            p.received + p.dropped + p.unserialisable + p.inFlight + p.lost,
          );
          expect(flushBroken).toBe('');
          // every event received was registered into the recorder and counted exactly once
          expect(recorder.stats().accepted).toBe(p.received);
          const w = worker.stats();
          expect(w.registered).toBe(w.sent + w.dropped + w.unserialisable + w.lost + w.pending);
          // the primary never knows more than the worker registered, nor receives more than it sent
          expect(p.registered).toBeLessThanOrEqual(w.registered);
          expect(p.received).toBeLessThanOrEqual(w.sent);
          if (end === 'kill') {
            expect(p.connected).toBe(0);
            expect(errors.filter((e) => e.code === 'worker-events-lost')).toHaveLength(
              p.lost > 0 ? 1 : 0,
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('cluster wiring checks', () => {
  it('refuses a process without an IPC channel', () => {
    const end = new FakeChannel().worker;
    (end as { send?: unknown }).send = undefined;
    expect(() => connectOver(end, 'service')).toThrow(MetricsWiringError);
  });

  it('refuses bad options with a message naming them (arbitrary junk)', () => {
    const channel = new FakeChannel();
    fc.assert(
      fc.property(
        fc.constantFrom('maxPendingEvents', 'batchSize', 'overflow', 'onError'),
        fc.oneof(
          fc.constant(0),
          fc.constant(-1),
          fc.constant(1.5),
          fc.constant(2 ** 31),
          fc.string(),
          fc.constant(null),
          fc.object(),
        ),
        (option, value) => {
          if (option === 'overflow' && (value === 'drop-newest' || value === 'drop-oldest')) return;
          expect(() => connectOver(channel.worker, 'service', { [option]: value })).toThrow(
            new RegExp(option),
          );
        },
      ),
    );
    expect(() => connectOver(channel.worker, '')).toThrow(MetricsWiringError);
  });

  it('refuses a workerProperty that would set a prototype, and accepts every other Object.prototype name', async () => {
    const runtime = new MetricsRuntime({ namespace: 'w', scheduler: 'sync' });
    expect(() => runtime.clusterPrimary({ workerProperty: '__proto__' })).toThrow(
      MetricsWiringError,
    );
    expect(() => runtime.clusterPrimary({ workerProperty: '' })).toThrow(MetricsWiringError);
    for (const name of PROTO_NAMES.filter((n) => n !== '__proto__')) {
      const r = new MetricsRuntime({ namespace: 'w', scheduler: 'sync' });
      const seen: Record<string, unknown>[] = [];
      r.createRecorder('service', {
        metrics: [
          counter({
            name: 'events',
            on: (e) => {
              seen.push(e as Record<string, unknown>);
              return true;
            },
          }),
        ],
      });
      r.start();
      const primary = r.clusterPrimary({ workerProperty: name });
      const channel = new FakeChannel();
      primary.attach(channel.primary, { label: 'w1' });
      const worker = connectOver(channel.worker, 'service');
      worker.registerEvent({ type: 'x' });
      const flushed = worker.flush();
      await pumpUntil(channel, flushed);
      expect(Object.hasOwn(seen[0] ?? {}, name) && seen[0]?.[name]).toBe('w1');
    }
  });

  it('ignores application messages on the same channel and counts events for an unknown recorder', async () => {
    const { primary, channel, errors } = setup();
    channel.primary.emit('message', { hello: 'app' });
    channel.primary.emit('message', null);
    channel.primary.emit('message', {
      mvx: 'mvx-metrics.cluster/1',
      r: 'service',
      e: 'nope',
      c: [],
    });
    const other = connectOver(channel.worker, 'nope');
    other.registerEvent({ type: 'x' });
    other.registerEvent({ type: 'x' });
    const flushed = other.flush();
    await pumpUntil(channel, flushed);
    expect(primary.stats()).toMatchObject({ unknownRecorder: 2, received: 2 });
    expect(errors.filter((e) => e.code === 'unknown-recorder')).toHaveLength(1);
    expect(errors.every((e) => e instanceof MetricsError)).toBe(true);
  });
});

describe('flush() never hangs', () => {
  it('resolves after flushTimeoutMs when the primary never answers: reported once, counted, the channel let go', async () => {
    const channel = new FakeChannel(); // no primary attached: nothing ever answers
    const errors: MetricsError[] = [];
    const worker = connectOver(channel.worker, 'service', {
      flushTimeoutMs: 20,
      onError: (e) => errors.push(e),
    });
    worker.registerEvent({ type: 'x' });
    const first = worker.flush();
    expect(channel.worker.listenerCount('message')).toBe(1);
    channel.drain();
    await first;
    await worker.flush({ timeoutMs: 5 });
    expect(worker.stats()).toMatchObject({ registered: 1, sent: 1, flushesTimedOut: 2 });
    expect(errors.map((e) => e.code)).toEqual(['flush-timeout']);
    expect(errors[0]?.message).toContain('"service"');
    // nothing left listening: the library does not keep a worker alive for an answer that never comes
    expect(channel.worker.listenerCount('message')).toBe(0);
    expect(channel.worker.listenerCount('disconnect')).toBe(0);
  });

  it('a flush that timed out leaves later flushes working, and a late answer settles nothing twice', async () => {
    const { recorder, channel, worker } = setup();
    worker.registerEvent({ type: 'x' });
    await worker.flush({ timeoutMs: 1 }); // the channel is not pumped: the primary cannot answer in time
    expect(worker.stats().flushesTimedOut).toBe(1);
    worker.registerEvent({ type: 'x' });
    const second = worker.flush({ timeoutMs: Number.POSITIVE_INFINITY });
    await pumpUntil(channel, second); // the late answer to the first arrives too
    expect(recorder.stats().accepted).toBe(2);
    expect(worker.stats().flushesTimedOut).toBe(1);
    expect(channel.worker.listenerCount('message')).toBe(0);
  });

  it('many recorders flushing at once share one listener per event on the channel: no EventEmitter leak warning, none left after', async () => {
    const errors: MetricsError[] = [];
    const runtime = new MetricsRuntime({
      namespace: 'test',
      scheduler: 'sync',
      onError: (e) => errors.push(e),
    });
    const names = Array.from({ length: 15 }, (_, i) => `r${i}`);
    const recorders = names.map((name) =>
      runtime.createRecorder(name, { metrics: [counter({ name: 'events', on: () => true })] }),
    );
    runtime.start();
    const channel = new FakeChannel();
    runtime.clusterPrimary().attach(channel.primary);
    // Node's own default: 10 listeners per event before it warns (an application may add its own).
    channel.worker.setMaxListeners(10);
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      const workers = names.map((name) => connectOver(channel.worker, name));
      for (const worker of workers) worker.registerEvent({ type: 'x' });
      const flushes = workers.map((worker) => worker.flush());
      expect(channel.worker.listenerCount('message')).toBe(1);
      expect(channel.worker.listenerCount('disconnect')).toBe(1);
      // Half of them settle first: the shared listener stays for the others.
      await pumpUntil(
        channel,
        Promise.all(flushes.slice(0, 7)).then(() => undefined),
      );
      await pumpUntil(
        channel,
        Promise.all(flushes).then(() => undefined),
      );
      await tick();
      expect(recorders.map((r) => r.stats().accepted)).toEqual(names.map(() => 1));
      expect(channel.worker.listenerCount('message')).toBe(0);
      expect(channel.worker.listenerCount('disconnect')).toBe(0);
      // A disconnect reaches every recorder that listens.
      const late = workers.map((worker) => worker.flush());
      expect(channel.worker.listenerCount('message')).toBe(1);
      channel.killPrimary();
      await Promise.all(late);
      expect(channel.worker.listenerCount('message')).toBe(0);
      for (const worker of workers) worker.registerEvent({ type: 'x' });
      expect(workers.map((w) => w.stats().dropped)).toEqual(names.map(() => 1));
      expect(warnings).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('refuses a timeout that is not a positive number of milliseconds, as an option and per call', () => {
    const channel = new FakeChannel();
    const worker = connectOver(channel.worker, 'service');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(0, -1, Number.NaN, Number.NEGATIVE_INFINITY, null, '10', true),
          fc.double({ max: 0 }),
          fc.object(),
          fc.string(),
        ),
        (value) => {
          expect(() =>
            connectOver(channel.worker, 'service', { flushTimeoutMs: value as number }),
          ).toThrow(/flushTimeoutMs/);
          expect(() => worker.flush({ timeoutMs: value as number })).toThrow(MetricsWiringError);
        },
      ),
    );
    expect(() => connectOver(channel.worker, 'service', { flushTimeoutMs: 0.5 })).not.toThrow();
  });
});

describe('the primary bounds the recorder names it keeps books for', () => {
  it('books at most maxRecorderNames names per worker; the rest is refused whole, counted and reported once (property, any names)', async () => {
    const name = fc.oneof(
      fc.constantFrom(...PROTO_NAMES),
      fc.string({ minLength: 1, maxLength: 4 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ name, count: fc.integer({ min: 0, max: 5 }) }), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.integer({ min: 1, max: 8 }),
        fc.subarray([...PROTO_NAMES, 'service', 'a', 'b']),
        async (sends, max, known) => {
          const errors: MetricsError[] = [];
          const runtime = new MetricsRuntime({
            namespace: 'n',
            scheduler: 'sync',
            onError: (e) => errors.push(e),
          });
          for (const recorderName of known) {
            runtime.createRecorder(recorderName, {
              metrics: [counter({ name: 'events', on: () => true })],
            });
          }
          runtime.start();
          const primary = runtime.clusterPrimary({ maxRecorderNames: max });
          const channel = new FakeChannel();
          primary.attach(channel.primary);
          const workers = new Map<string, ReturnType<typeof connectOver>>();
          const totals = new Map<string, number>();
          for (const send of sends) {
            let worker = workers.get(send.name);
            if (worker === undefined) {
              worker = connectOver(channel.worker, send.name, { batchSize: 3, onError: () => {} });
              workers.set(send.name, worker);
            }
            for (let i = 0; i < send.count; i++) worker.registerEvent({ type: 'x' });
            totals.set(send.name, (totals.get(send.name) ?? 0) + send.count);
          }
          await pumpUntil(
            channel,
            Promise.all([...workers.values()].map((w) => w.flush())).then(() => {}),
          );
          const total = [...totals.values()].reduce((a, b) => a + b, 0);
          const p = primary.stats();
          const [w] = primary.workerStats();
          expect(w?.recorderNames).toBe(Math.min(max, workers.size));
          // every event: received (books kept) or refused (a name beyond the bound)
          expect(p.received + p.refused).toBe(total);
          expect(p.registered).toBe(
            p.received + p.dropped + p.unserialisable + p.inFlight + p.lost,
          );
          expect(p.inFlight).toBe(0);
          // a name is booked for all its events or refused for all of them
          let accepted = 0;
          for (const recorderName of known) {
            const got = runtime.getRecorder(recorderName)?.stats().accepted ?? 0;
            expect([0, totals.get(recorderName) ?? 0]).toContain(got);
            accepted += got;
          }
          expect(accepted).toBe(p.received - p.unknownRecorder);
          const limitReports = errors.filter((e) => e.code === 'cardinality-limit');
          expect(limitReports).toHaveLength(workers.size > max ? 1 : 0);
          // every flush was answered, refused names' included
          for (const worker of workers.values()) expect(worker.stats().flushesTimedOut).toBe(0);
          // self-telemetry counts the refused events
          const refused = runtime
            .getRecorder('mvx_cluster')
            ?.getMetricSnapshots()[0]
            ?.points.find((point) => point.attributes.outcome === 'refused') as
            | { value: number }
            | undefined;
          expect(refused?.value).toBe(p.refused);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('remembers at most maxRecorderNames unknown names across workers to report each once', async () => {
    const errors: MetricsError[] = [];
    const runtime = new MetricsRuntime({
      namespace: 'u',
      scheduler: 'sync',
      onError: (e) => errors.push(e),
    });
    runtime.start();
    const primary = runtime.clusterPrimary({ maxRecorderNames: 3 });
    for (let k = 0; k < 4; k++) {
      const channel = new FakeChannel(100 + k);
      primary.attach(channel.primary);
      const flushes = PROTO_NAMES.slice(3 * k, 3 * k + 3).map((recorderName) => {
        const worker = connectOver(channel.worker, recorderName);
        worker.registerEvent({ type: 'x' });
        return worker.flush();
      });
      await pumpUntil(
        channel,
        Promise.all(flushes).then(() => {}),
      );
    }
    expect(primary.stats()).toMatchObject({ unknownRecorder: 12, received: 12, refused: 0 });
    const unknown = errors.filter((e) => e.code === 'unknown-recorder');
    expect(unknown).toHaveLength(4); // three names, then one line for every further name
    expect(unknown[3]?.message).toContain('more than 3');
  });

  it('refuses a maxRecorderNames that is not a positive integer', () => {
    for (const value of [0, -1, 1.5, '10', null, Number.NaN, Number.POSITIVE_INFINITY]) {
      const runtime = new MetricsRuntime({ namespace: 'v', scheduler: 'sync' });
      expect(() => runtime.clusterPrimary({ maxRecorderNames: value as number })).toThrow(
        /maxRecorderNames/,
      );
    }
  });
});

describe('wire versions', () => {
  it('takes a batch of the previous release (events as they are) and answers its flush in its own version', async () => {
    const { recorder, primary, channel } = setup();
    const answers: unknown[] = [];
    channel.worker.on('message', (m: unknown) => answers.push(m));
    channel.primary.emit('message', {
      mvx: 'mvx-metrics.cluster/1',
      r: 'service',
      e: [{ type: 'x' }, { type: 'x' }],
      c: [3, 1, 0, 0],
      f: 7,
    });
    await recorder.flush();
    channel.drain();
    await tick();
    channel.drain();
    expect(recorder.stats().accepted).toBe(2);
    expect(primary.stats()).toMatchObject({ registered: 3, received: 2, dropped: 1, inFlight: 0 });
    expect(answers).toContainEqual({ mvx: 'mvx-metrics.cluster/1', r: 'service', f: 7 });
  });

  it('takes any JSON value as a message without throwing or polluting a prototype; what it refuses is a BatchFormatError (property)', async () => {
    // (Its books are not checked: messages made up like these announce counters no worker would.)
    const { recorder, channel, errors } = setup();
    const good = {
      mvx: 'mvx-metrics.cluster/2',
      r: 'service',
      s: ['x', '__proto__'],
      k: [['sv', 'type', 'n']],
      v: [0, 0, 1, 0, 0, 2, -1],
      e: [{ type: 'x' }],
      c: [3, 0, 0, 0],
    };
    const field = fc.constantFrom(
      'mvx',
      'r',
      's',
      'k',
      'v',
      'e',
      'c',
      'f',
      '__proto__',
      'constructor',
    );
    const json = fc.jsonValue({ maxDepth: 3 });
    const message = fc.oneof(
      json,
      // a well-formed batch with one field (or one element of it) replaced by any JSON value
      fc.tuple(field, fc.nat(8), json, fc.boolean()).map(([key, at, value, whole]) => {
        const damaged = JSON.parse(JSON.stringify(good)) as Record<string, unknown>;
        const column = damaged[key];
        if (!whole && Array.isArray(column)) column[at % (column.length + 1)] = value;
        else damaged[key] = value;
        return damaged;
      }),
      fc.record(
        {
          mvx: fc.constantFrom('mvx-metrics.cluster/1', 'mvx-metrics.cluster/2'),
          r: json,
          e: json,
        },
        { requiredKeys: ['mvx'] },
      ),
    );
    const before = [Object.prototype, Array.prototype, Function.prototype].map(
      (p) => Reflect.ownKeys(p).length,
    );
    fc.assert(
      fc.property(fc.array(message, { maxLength: 8 }), (messages) => {
        // JSON.parse of the line, as the channel delivers it
        for (const m of messages) {
          expect(() =>
            channel.primary.emit('message', JSON.parse(JSON.stringify(m))),
          ).not.toThrow();
        }
      }),
      { numRuns: 300 },
    );
    await recorder.flush();
    // A damaged batch is refused as a BatchFormatError; an event that is not an object (a version
    // 1 message carries them as they are) is the recorder's to reject; a name that is no recorder
    // is counted and reported.
    const codes = new Set(errors.map((e) => e.code));
    expect(
      [...codes].filter(
        (c) => !['listener-failed', 'invalid-event', 'unknown-recorder'].includes(c),
      ),
    ).toEqual([]);
    for (const error of errors.filter((e) => e.code === 'listener-failed')) {
      expect(error.cause).toBeInstanceOf(BatchFormatError);
    }
    expect(codes.has('listener-failed')).toBe(true);
    expect(
      [Object.prototype, Array.prototype, Function.prototype].map((p) => Reflect.ownKeys(p).length),
    ).toEqual(before);
    expect(({} as Record<string, unknown>).type).toBeUndefined();
    expect(({} as Record<string, unknown>).n).toBeUndefined();
  });

  it('sends version 3 (runs) and still takes a version 2 batch of the previous release, answering its flush in version 2', async () => {
    const { recorder, primary, channel, worker } = setup({ batchSize: 64 });
    const sent: { mvx: string; v: unknown[] }[] = [];
    channel.primary.on('message', (m: { mvx: string; v: unknown[] }) => sent.push(m));
    for (let n = 0; n < 10; n++) worker.registerEvent({ type: 'x', n });
    await pumpUntil(channel, worker.flush());
    expect(sent.map((m) => m.mvx)).toEqual(['mvx-metrics.cluster/3']);
    // one full record, then a run of the nine others: their value column only
    expect(sent[0]?.v).toEqual([0, 0, 0, -2, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(recorder.stats().accepted).toBe(10);
    const answers: unknown[] = [];
    channel.worker.on('message', (m: unknown) => answers.push(m));
    channel.primary.emit('message', {
      mvx: 'mvx-metrics.cluster/2',
      r: 'service',
      s: ['x'],
      k: [['sv', 'type', 'n']],
      v: [0, 0, 10, 0, 0, 11],
      e: [],
      c: [12, 0, 0, 0],
      f: 9,
    });
    await recorder.flush();
    channel.drain();
    await tick();
    channel.drain();
    expect(recorder.stats().accepted).toBe(12);
    expect(answers).toContainEqual({ mvx: 'mvx-metrics.cluster/2', r: 'service', f: 9 });
    expect(primary.stats()).toMatchObject({ registered: 12, received: 12, inFlight: 0 });
  });

  it('refuses a run in a version 2 batch, and a damaged run in a version 3 one, whole, reported once', async () => {
    const { recorder, primary, channel, errors } = setup();
    const batch = (mvx: string, v: unknown[]) => ({
      mvx,
      r: 'service',
      s: ['x'],
      k: [['sv', 'type', 'n']],
      v,
      e: [],
      c: [3, 0, 0, 0],
    });
    // version 2 has no runs: the same values that version 3 takes are damage there
    channel.primary.emit('message', batch('mvx-metrics.cluster/2', [0, 0, 1, -2, 2, 2, 3]));
    for (const v of [
      [-2, 1, 1],
      [0, 0, 1, -2, 5, 2],
      [0, 0, 1, -2, 0],
      [0, 0, 1, -2, 1e12, 2],
      [0, 0, 1, -1, -2, 1, 2],
    ]) {
      channel.primary.emit('message', batch('mvx-metrics.cluster/3', v));
    }
    await recorder.flush();
    expect(recorder.stats().accepted).toBe(0);
    expect(primary.stats()).toMatchObject({ registered: 0, received: 0, batches: 0 });
    expect(errors.filter((e) => e.code === 'listener-failed')).toHaveLength(1);
    expect(errors[0]?.cause).toBeInstanceOf(BatchFormatError);
    // a well-formed version 3 batch from the same worker is still taken
    channel.primary.emit('message', batch('mvx-metrics.cluster/3', [0, 0, 1, -2, 2, 2, 3]));
    await recorder.flush();
    expect(recorder.stats().accepted).toBe(3);
    expect(primary.stats()).toMatchObject({ registered: 3, received: 3, batches: 1 });
  });

  it('takes any JSON value in a version 3 batch without throwing or polluting a prototype (property)', async () => {
    const { recorder, channel, errors } = setup();
    const good = {
      mvx: 'mvx-metrics.cluster/3',
      r: 'service',
      s: ['x', '__proto__'],
      k: [['sv', 'type', 'n']],
      v: [0, 0, 1, -2, 3, 2, 3, 4, -1, 0, 1, 5],
      e: [{ type: 'x' }],
      c: [6, 0, 0, 0],
    };
    const json = fc.jsonValue({ maxDepth: 3 });
    const message = fc
      .tuple(fc.constantFrom('s', 'k', 'v', 'e', 'c'), fc.nat(12), json, fc.boolean())
      .map(([key, at, value, whole]) => {
        const damaged = JSON.parse(JSON.stringify(good)) as Record<string, unknown>;
        const column = damaged[key];
        if (!whole && Array.isArray(column)) column[at % (column.length + 1)] = value;
        else damaged[key] = value;
        return damaged;
      });
    const before = [Object.prototype, Array.prototype].map((p) => Reflect.ownKeys(p).length);
    let sentEvents = 0;
    fc.assert(
      fc.property(fc.array(message, { maxLength: 8 }), (messages) => {
        for (const m of messages) {
          sentEvents += 12;
          expect(() =>
            channel.primary.emit('message', JSON.parse(JSON.stringify(m))),
          ).not.toThrow();
        }
      }),
      { numRuns: 300 },
    );
    await recorder.flush();
    // every refusal is a BatchFormatError; no message makes more events than its values hold
    for (const error of errors.filter((e) => e.code === 'listener-failed')) {
      expect(error.cause).toBeInstanceOf(BatchFormatError);
    }
    expect(recorder.stats().accepted + recorder.stats().rejected).toBeLessThanOrEqual(sentEvents);
    expect([Object.prototype, Array.prototype].map((p) => Reflect.ownKeys(p).length)).toEqual(
      before,
    );
  });

  it('refuses a damaged batch whole and reports it, keeping the books as they were', async () => {
    const { recorder, primary, channel, errors } = setup();
    for (const v of [[0], [5, 1], ['x'], [-1], [0.5, 1]]) {
      channel.primary.emit('message', {
        mvx: 'mvx-metrics.cluster/2',
        r: 'service',
        s: [],
        k: [['v', 'type']],
        v,
        e: [],
        c: [1, 0, 0, 0],
      });
    }
    await recorder.flush();
    expect(recorder.stats().accepted).toBe(0);
    expect(primary.stats()).toMatchObject({ registered: 0, received: 0, batches: 0 });
    // reported once for the worker, not once per damaged message
    expect(errors.filter((e) => e.code === 'listener-failed')).toHaveLength(1);
  });
});

describe('cluster transport into a small primary buffer', () => {
  it('takes every event a worker admitted, however its batches and bound compare with the primary buffer (property)', async () => {
    // A worker's bound (maxPendingEvents) and batches may be larger than the primary recorder's
    // buffer: the primary processes as often as it must instead of dropping.
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 0, max: 400 }),
        async (primaryCapacity, workerBound, batch, count) => {
          const runtime = new MetricsRuntime({
            namespace: 'test',
            maxPendingEvents: primaryCapacity,
            onError: () => {},
          });
          const recorder = runtime.createRecorder('service', {
            metrics: [
              counter({ name: 'events', on: (e) => (e as { type?: unknown }).type === 'x' }),
            ],
          });
          runtime.start();
          const primary = runtime.clusterPrimary();
          const channel = new FakeChannel();
          primary.attach(channel.primary);
          const worker = connectOver(channel.worker, 'service', {
            maxPendingEvents: workerBound,
            batchSize: Math.min(batch, workerBound),
            onError: () => {},
          });
          for (let i = 0; i < count; i++) worker.registerEvent({ type: 'x' });
          await pumpUntil(channel, worker.flush());
          const sent = worker.stats().sent;
          expect(primary.stats().received).toBe(sent);
          expect(recorder.stats()).toMatchObject({ registered: sent, dropped: 0 });
          await runtime.shutdown();
          expect(recorder.stats().accepted).toBe(sent);
        },
      ),
      { numRuns: 30 },
    );
  });
});
