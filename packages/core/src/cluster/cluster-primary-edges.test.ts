// The primary's side of cluster mode at its edges: wiring refusals, attach/attachCluster/close,
// the per-worker books (stale counters, telemetry deltas), revive and flush failures, and what the
// user reads (error codes and messages, self-telemetry). Over the in-memory FakeChannel.
import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeChannel, pumpUntil, tick } from '../../../../test/support/fake-ipc-channel.js';
import { MetricsError, MetricsWiringError } from '../errors/index.js';
import { counter } from '../metrics/index.js';
import { MetricsRuntime } from '../runtime/index.js';
import { type ClusterLike, createClusterPrimary, type WorkerProcess } from './cluster-primary.js';
import { connectOver } from './connect-to-primary.js';

function runtimeWith(names: string[] = ['service']) {
  const errors: MetricsError[] = [];
  const runtime = new MetricsRuntime({
    namespace: 'edges',
    scheduler: 'sync',
    onError: (e) => errors.push(e),
  });
  for (const name of names) {
    runtime.createRecorder(name, {
      metrics: [counter({ name: 'events', on: () => true })],
    });
  }
  runtime.start();
  return { runtime, errors };
}

/** The self-telemetry points of `runtime`: `cluster.events` by outcome and `cluster.workers`. */
async function telemetry(runtime: MetricsRuntime) {
  const recorder = runtime.getRecorder('mvx_cluster');
  await recorder?.flush();
  const [events, workers] = recorder?.getMetricSnapshots() ?? [];
  const outcomes: Record<string, number> = {};
  for (const point of events?.points ?? []) {
    outcomes[String(point.attributes.outcome)] = (point as { value: number }).value;
  }
  const connected = (workers?.points[0] as { value: number } | undefined)?.value;
  return { outcomes, connected, events, workers };
}

/** A batch message of the first release (events as they are), built by hand. */
function v1(r: string, e: object[], c: [number, number, number, number], f?: number) {
  return { mvx: 'mvx-metrics.cluster/1', r, e, c, ...(f === undefined ? {} : { f }) };
}

describe('createClusterPrimary refuses what it cannot work with', () => {
  it('a source without getRecorder, whatever it is, with a MetricsWiringError naming what it needs', () => {
    for (const source of [null, undefined, 5, 'runtime', {}, { getRecorder: 1 }, []]) {
      let thrown: unknown;
      try {
        createClusterPrimary(source as never);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(MetricsWiringError);
      expect((thrown as MetricsWiringError).code).toBe('invalid-option');
      expect((thrown as Error).message).toContain('getRecorder');
    }
    expect(() => createClusterPrimary({ getRecorder: () => undefined })).not.toThrow();
  });

  it('a workerProperty that is not a non-empty string other than __proto__, naming the option and the value', () => {
    const source = { getRecorder: () => undefined };
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom('', '__proto__', null, 0, 1, true, Symbol('s')),
          fc.object(),
          fc.array(fc.string()),
        ),
        (value) => {
          let thrown: unknown;
          try {
            createClusterPrimary(source, { workerProperty: value as string });
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toBeInstanceOf(MetricsWiringError);
          expect((thrown as MetricsWiringError).code).toBe('invalid-option');
          expect((thrown as Error).message).toContain('workerProperty');
        },
      ),
    );
    expect(() => createClusterPrimary(source, { workerProperty: 'w' })).not.toThrow();
  });
});

describe('ClusterPrimary.attach', () => {
  it('refuses what is not a worker, a label that is not a string, and any worker once closed', () => {
    const primary = createClusterPrimary({ getRecorder: () => undefined });
    for (const worker of [null, undefined, 7, 'worker', {}, { on: 'no' }]) {
      let thrown: unknown;
      try {
        primary.attach(worker as never);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(MetricsWiringError);
      expect((thrown as MetricsWiringError).code).toBe('invalid-option');
      expect((thrown as Error).message).toContain('ClusterPrimary.attach');
    }
    for (const label of [1, null, {}, true]) {
      let refused: unknown;
      try {
        primary.attach(new FakeChannel().primary, { label: label as never });
      } catch (error) {
        refused = error;
      }
      expect(refused).toBeInstanceOf(MetricsWiringError);
      expect((refused as MetricsWiringError).code).toBe('invalid-option');
      expect((refused as Error).message).toContain('label must be a string');
    }
    expect(primary.stats().workers).toBe(0);
    primary.attach(new FakeChannel().primary, { label: '' });
    expect(primary.stats().workers).toBe(1);
    primary.close();
    let thrown: unknown;
    try {
      primary.attach(new FakeChannel().primary);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MetricsWiringError);
    expect((thrown as MetricsWiringError).code).toBe('exposure-closed');
    expect((thrown as Error).message).toContain('attach workers before close()');
    expect(primary.stats().workers).toBe(1);
  });

  it("labels a worker by its process' pid (a cluster Worker), its own pid (a ChildProcess), or the label given", () => {
    const primary = createClusterPrimary({ getRecorder: () => undefined });
    const clusterWorker = Object.assign(new EventEmitter(), { process: { pid: 41 }, pid: 99 });
    const child = Object.assign(new EventEmitter(), { pid: 42 });
    const bare = new EventEmitter();
    primary.attach(clusterWorker as unknown as WorkerProcess);
    primary.attach(child as unknown as WorkerProcess);
    primary.attach(bare as unknown as WorkerProcess);
    primary.attach(child as unknown as WorkerProcess, { label: 'slot-3' });
    expect(primary.workerStats().map((w) => [w.label, w.pid, w.connected])).toEqual([
      ['41', 41, true],
      ['42', 42, true],
      ['undefined', undefined, true],
      ['slot-3', 42, true],
    ]);
    expect(primary.stats()).toMatchObject({ workers: 4, connected: 4 });
  });
});

describe('ClusterPrimary.attachCluster', () => {
  it('attaches the workers a cluster has and every one it forks until stopped; close() stops it too', async () => {
    const { runtime } = runtimeWith();
    const primary = runtime.clusterPrimary();
    const channels = [new FakeChannel(1), new FakeChannel(2)];
    const forks = new EventEmitter();
    const cluster: ClusterLike = {
      on: (event, listener) => forks.on(event, listener),
      off: (event, listener) => forks.off(event, listener),
      workers: { a: channels[0]?.primary, gone: undefined, b: channels[1]?.primary },
    };
    const stop = primary.attachCluster(cluster);
    expect(primary.stats()).toMatchObject({ workers: 2, connected: 2 });
    const forked = new FakeChannel(3);
    forks.emit('fork', forked.primary);
    expect(primary.workerStats().map((w) => w.label)).toEqual(['1', '2', '3']);
    stop();
    expect(forks.listenerCount('fork')).toBe(0);
    forks.emit('fork', new FakeChannel(4).primary);
    expect(primary.stats().workers).toBe(3);
    // every attached worker delivers
    const workers = [...channels, forked].map((channel) => {
      const worker = connectOver(channel.worker, 'service');
      worker.registerEvent({ type: 'x' });
      return { channel, flushed: worker.flush() };
    });
    for (const { channel, flushed } of workers)
      expect(await pumpUntil(channel, flushed)).toBe(true);
    expect(runtime.getRecorder('service')?.stats().accepted).toBe(3);
    // another cluster, stopped by close()
    const later = new EventEmitter();
    primary.attachCluster({
      on: (event, listener) => later.on(event, listener),
      off: (event, listener) => later.off(event, listener),
    });
    expect(later.listenerCount('fork')).toBe(1);
    primary.close();
    expect(later.listenerCount('fork')).toBe(0);
    // a stop function called after close() does nothing more
    stop();
    expect(primary.stats().workers).toBe(3);
  });
});

describe('ClusterPrimary.close', () => {
  it('stops listening and makes the counts final: what workers announced and had not delivered is lost, without a report', async () => {
    const { runtime, errors } = runtimeWith();
    const primary = runtime.clusterPrimary();
    const channel = new FakeChannel(7);
    primary.attach(channel.primary);
    const worker = connectOver(channel.worker, 'service', { batchSize: 4, onError: () => {} });
    for (let i = 0; i < 10; i++) worker.registerEvent({ type: 'x' });
    channel.pump();
    channel.pump(); // the first batch (4 events, announcing 4) arrives
    channel.pump(); // the second (4, announcing 10)
    expect(primary.stats()).toMatchObject({ registered: 10, received: 8, inFlight: 2, lost: 0 });
    expect(await telemetry(runtime)).toMatchObject({ connected: 1 });
    primary.close();
    expect(channel.primary.listenerCount('message')).toBe(0);
    expect(channel.primary.listenerCount('disconnect')).toBe(0);
    const final = primary.stats();
    expect(final).toMatchObject({
      workers: 1,
      connected: 0,
      registered: 10,
      received: 8,
      inFlight: 0,
      lost: 2,
      batches: 2,
    });
    expect(primary.workerStats()).toEqual([]);
    // nothing more is taken, nothing is counted twice
    channel.drain();
    channel.kill();
    primary.close();
    expect(primary.stats()).toEqual(final);
    expect(runtime.getRecorder('service')?.stats().accepted).toBe(8);
    expect(errors.filter((e) => e.code === 'worker-events-lost')).toEqual([]);
    expect(await telemetry(runtime)).toMatchObject({
      connected: 0,
      outcomes: { received: 8, lost: 2, dropped: 0, unserialisable: 0, refused: 0 },
    });
  });

  it('keeps the counts of a worker that disconnected before, once', async () => {
    const { runtime, errors } = runtimeWith();
    const primary = runtime.clusterPrimary();
    const channel = new FakeChannel(8);
    primary.attach(channel.primary, { label: 'w8' });
    channel.primary.emit('message', v1('service', [{ type: 'x' }], [3, 0, 0, 0]));
    channel.kill();
    const before = primary.stats();
    expect(before).toMatchObject({ workers: 1, connected: 0, registered: 3, received: 1, lost: 2 });
    const lost = errors.filter((e) => e.code === 'worker-events-lost');
    expect(lost).toHaveLength(1);
    expect(lost[0]?.message).toContain('worker w8');
    expect(lost[0]?.message).toContain('2 event(s)');
    // a second 'disconnect' changes nothing
    channel.primary.emit('disconnect');
    primary.close();
    expect(primary.stats()).toEqual(before);
    expect(errors.filter((e) => e.code === 'worker-events-lost')).toHaveLength(1);
    expect((await telemetry(runtime)).outcomes.lost).toBe(2);
  });
});

describe('the primary reports, never throws', () => {
  it('contains an onError that throws: unknown names, lost events and revive failures still leave it working', () => {
    let calls = 0;
    const seen: object[] = [];
    const recorder = { name: 'service', registerEvent: (e: object) => seen.push(e) };
    const primary = createClusterPrimary(
      { getRecorder: (name) => (name === 'service' ? (recorder as never) : undefined) },
      {
        onError: () => {
          calls++;
          throw new Error('handler broke');
        },
        revive: () => {
          throw new Error('revive broke');
        },
      },
    );
    const channel = new FakeChannel();
    primary.attach(channel.primary);
    expect(() => {
      channel.primary.emit('message', v1('nobody', [{ type: 'x' }], [1, 0, 0, 0]));
      channel.primary.emit('message', v1('service', [{ type: 'x' }], [2, 0, 0, 0]));
      channel.kill();
    }).not.toThrow();
    expect(calls).toBe(3);
    expect(seen).toEqual([{ type: 'x' }]);
  });

  it('uses console.warn when no onError is given', () => {
    const warned: unknown[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warned.push(args.join(' '));
    try {
      const primary = createClusterPrimary({ getRecorder: () => undefined });
      const channel = new FakeChannel();
      primary.attach(channel.primary);
      channel.primary.emit('message', v1('nobody', [{ type: 'x' }], [1, 0, 0, 0]));
    } finally {
      console.warn = warn;
    }
    expect(warned).toHaveLength(1);
    expect(String(warned[0])).toContain('"nobody"');
  });

  it('reports an unknown recorder name once per name, naming it and the worker; a message without events reports nothing', () => {
    const errors: MetricsError[] = [];
    const primary = createClusterPrimary(
      { getRecorder: () => undefined },
      { onError: (e) => errors.push(e) },
    );
    const channel = new FakeChannel(55);
    primary.attach(channel.primary);
    channel.primary.emit('message', v1('ghost', [], [0, 0, 0, 0], 1));
    expect(errors).toEqual([]);
    channel.primary.emit('message', v1('ghost', [{ type: 'x' }], [1, 0, 0, 0]));
    channel.primary.emit('message', v1('ghost', [{ type: 'x' }], [2, 0, 0, 0]));
    channel.primary.emit('message', v1('spirit', [{ type: 'x' }], [1, 0, 0, 0]));
    expect(errors.map((e) => [e.code, e instanceof MetricsError])).toEqual([
      ['unknown-recorder', true],
      ['unknown-recorder', true],
    ]);
    expect(errors[0]?.message).toContain('"ghost"');
    expect(errors[0]?.message).toContain('worker 55');
    expect(errors[1]?.message).toContain('"spirit"');
    expect(primary.stats()).toMatchObject({ unknownRecorder: 3, received: 3, batches: 4 });
  });
});

describe("a worker's books on the primary", () => {
  it('only grow: a stale or replayed message never lowers a counter, and self-telemetry counts each increase once (property)', async () => {
    const counters = fc.tuple(fc.nat(50), fc.nat(50), fc.nat(50), fc.nat(50));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(counters, fc.nat(3)), { minLength: 1, maxLength: 12 }),
        async (messages) => {
          const { runtime } = runtimeWith();
          const primary = runtime.clusterPrimary();
          const channel = new FakeChannel();
          primary.attach(channel.primary);
          const max = [0, 0, 0, 0];
          let received = 0;
          for (const [c, events] of messages) {
            const e = Array.from({ length: events }, () => ({ type: 'x' }));
            channel.primary.emit('message', v1('service', e, c));
            received += events;
            for (let i = 0; i < 4; i++) max[i] = Math.max(max[i] as number, c[i] as number);
            const s = primary.stats();
            expect([s.registered, s.dropped, s.unserialisable, s.rejected]).toEqual(max);
            expect(s.received).toBe(received);
            expect(s.batches).toBeGreaterThan(0);
            // announced, not received, not dropped nor unserialisable: still on its way
            const [registered = 0, dropped = 0, unserialisable = 0] = max;
            expect(s.inFlight).toBe(Math.max(0, registered - received - dropped - unserialisable));
          }
          const { outcomes } = await telemetry(runtime);
          expect(outcomes).toMatchObject({
            received,
            dropped: max[1],
            unserialisable: max[2],
            lost: 0,
            refused: 0,
          });
          expect(primary.stats().batches).toBe(messages.length);
          await runtime.shutdown();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('starts every outcome of cluster.events at 0, described, before any worker sends', async () => {
    const { runtime } = runtimeWith();
    runtime.clusterPrimary();
    const { outcomes, events, workers } = await telemetry(runtime);
    expect(outcomes).toEqual({ received: 0, dropped: 0, unserialisable: 0, lost: 0, refused: 0 });
    expect(events).toMatchObject({ name: 'cluster.events', unit: '{event}' });
    expect(events?.description).toMatch(/outcome/);
    expect(workers).toMatchObject({ name: 'cluster.workers', unit: '{worker}' });
    expect(workers?.description).toMatch(/connected/);
  });
});

describe('the primary contains failures around a batch', () => {
  it('a revive that throws: reported once, every event registered as it came; other failures still reported', async () => {
    const errors: MetricsError[] = [];
    const seen: object[] = [];
    const recorder = {
      name: 'service',
      registerEvent: (e: object) => seen.push(e),
      flush: () => Promise.reject(new Error('flush broke')),
    };
    const primary = createClusterPrimary(
      { getRecorder: () => recorder as never },
      {
        onError: (e) => errors.push(e),
        revive: () => {
          throw new Error('revive broke');
        },
        workerProperty: 'w',
      },
    );
    const channel = new FakeChannel(3);
    primary.attach(channel.primary);
    channel.primary.emit('message', v1('service', [{ type: 'a' }, { type: 'b' }], [2, 0, 0, 0]));
    channel.primary.emit('message', v1('service', [{ type: 'c' }], [3, 0, 0, 0], 1));
    channel.primary.emit('message', v1('service', [], [3, 0, 0, 0], 2));
    await tick();
    expect(seen).toEqual([
      { type: 'a', w: '3' },
      { type: 'b', w: '3' },
      { type: 'c', w: '3' },
    ]);
    expect(errors.map((e) => e.code)).toEqual([
      'listener-failed',
      'listener-failed',
      'listener-failed',
    ]);
    expect(errors[0]?.message).toContain('revive threw for an event of recorder "service"');
    expect(errors[0]?.message).toContain('revive broke');
    expect(errors[0]?.cause).toMatchObject({ message: 'revive broke' });
    expect(errors[1]?.message).toContain('a flush for worker 3 failed');
    expect(errors[1]?.message).toContain('flush broke');
    // a failed flush is not answered: the worker's flush times out and says so
    expect(channel.answers).toEqual([]);
  });

  it('a revive that returns no object: the recorder rejects it, the property is not set, the rest of the batch is registered', async () => {
    const { runtime, errors } = runtimeWith();
    const primary = runtime.clusterPrimary({
      workerProperty: 'worker',
      revive: (e) => {
        const type = (e as { type: string }).type;
        return (type === 'keep' ? e : type === 'text' ? 'text' : null) as object;
      },
    });
    const channel = new FakeChannel(9);
    primary.attach(channel.primary);
    channel.primary.emit(
      'message',
      v1(
        'service',
        [{ type: 'drop' }, { type: 'keep' }, { type: 'text' }, { type: 'keep' }],
        [4, 0, 0, 0],
      ),
    );
    const recorder = runtime.getRecorder('service');
    await recorder?.flush();
    expect(recorder?.stats()).toMatchObject({ accepted: 2, rejected: 2 });
    expect(errors.map((e) => e.code)).toEqual(['invalid-event']);
  });

  it('a failure that is not a damaged batch is reported each time it happens; a damaged batch once per worker', async () => {
    const errors: MetricsError[] = [];
    let calls = 0;
    const primary = createClusterPrimary(
      {
        getRecorder: () => {
          calls++;
          throw new Error(`lookup ${calls} broke`);
        },
      },
      { onError: (e) => errors.push(e) },
    );
    const channel = new FakeChannel(4);
    primary.attach(channel.primary, { label: 'w4' });
    channel.primary.emit('message', v1('service', [{ type: 'x' }], [1, 0, 0, 0]));
    channel.primary.emit('message', v1('service', [{ type: 'x' }], [2, 0, 0, 0]));
    const damaged = { ...v1('service', [], [1, 0, 0, 0]), mvx: 'mvx-metrics.cluster/2' };
    channel.primary.emit('message', { ...damaged, s: [], k: [], v: [7] });
    channel.primary.emit('message', { ...damaged, s: [], k: [], v: [8] });
    expect(
      errors.map((e) => [e.code, e.message.includes('receiving a batch from worker w4')]),
    ).toEqual([
      ['listener-failed', true],
      ['listener-failed', true],
      ['listener-failed', true],
    ]);
    expect(errors.map((e) => (e.cause as Error).message)).toEqual([
      'lookup 1 broke',
      'lookup 2 broke',
      expect.any(String),
    ]);
  });

  it('answers no flush to a worker gone meanwhile, and a channel that throws on send does not reach the caller', async () => {
    const { runtime, errors } = runtimeWith();
    const primary = runtime.clusterPrimary();
    const gone = new FakeChannel(1);
    primary.attach(gone.primary);
    const attempts: object[] = [];
    const send = gone.primary.send?.bind(gone.primary);
    gone.primary.send = (message, callback) => {
      attempts.push(message);
      return send?.(message, callback) ?? false;
    };
    gone.primary.emit('message', v1('service', [{ type: 'x' }], [1, 0, 0, 0], 1));
    gone.kill(); // before the recorder's flush resolves
    const throwing = new FakeChannel(2);
    primary.attach(throwing.primary);
    throwing.primary.send = () => {
      throw new Error('channel closed');
    };
    throwing.primary.emit('message', v1('service', [{ type: 'x' }], [1, 0, 0, 0], 1));
    const noSend = new FakeChannel(3);
    primary.attach(noSend.primary);
    (noSend.primary as { send?: unknown }).send = undefined;
    noSend.primary.emit('message', v1('service', [{ type: 'x' }], [1, 0, 0, 0], 1));
    await runtime.getRecorder('service')?.flush();
    await tick();
    expect(attempts).toEqual([]);
    expect(runtime.getRecorder('service')?.stats().accepted).toBe(3);
    expect(errors).toEqual([]);
  });
});

describe('the primary ignores a tagged message that is not a well-formed batch', () => {
  it('whatever is wrong with it: not booked, not registered, not reported, its flush not answered', async () => {
    const good = {
      mvx: 'mvx-metrics.cluster/3',
      r: 'service',
      s: ['x'],
      k: [['sv', 'type', 'n']],
      v: [0, 0, 1],
      e: [],
      c: [1, 0, 0, 0],
      f: 1,
    };
    const ill: Record<string, unknown>[] = [
      { ...good, mvx: 'mvx-metrics.cluster/4' },
      { ...good, mvx: 'other-library/3' },
      { ...good, r: 5 },
      { ...good, r: ['service'] },
      { ...good, e: {} },
      { ...good, e: 'x' },
      { ...good, s: undefined },
      { ...good, k: 'k' },
      { ...good, v: { 0: 0 } },
      { ...good, c: [1, 0, 0] },
      { ...good, c: [1, 0, 0, 0, 0] },
      { ...good, c: '1,0,0,0' },
      { ...good, c: [-1, 0, 0, 0] },
      { ...good, c: [1, -1, 0, 0] },
      { ...good, c: [1.5, 0, 0, 0] },
      { ...good, c: [2 ** 53, 0, 0, 0] },
      { ...good, c: [1, 0, 0, '0'] },
      { ...good, c: [1, null, 0, 0] },
      { ...v1('service', {} as never, [1, 0, 0, 0], 1) },
      { ...v1('service', [{ type: 'x' }], [1, 0, 0, -3], 1) },
      { mvx: 'mvx-metrics.cluster/1', r: 'service', c: [1, 0, 0, 0], f: 1 },
    ];
    const { runtime, errors } = runtimeWith();
    const primary = runtime.clusterPrimary();
    const channel = new FakeChannel();
    primary.attach(channel.primary);
    for (const message of ill) channel.primary.emit('message', message);
    for (const message of [null, 'mvx-metrics.cluster/3', 3, [good]]) {
      channel.primary.emit('message', message);
    }
    await runtime.getRecorder('service')?.flush();
    await tick();
    expect(primary.stats()).toMatchObject({ registered: 0, received: 0, batches: 0, refused: 0 });
    expect(primary.workerStats()[0]?.recorderNames).toBe(0);
    expect(runtime.getRecorder('service')?.stats().registered).toBe(0);
    expect(errors).toEqual([]);
    expect(channel.answers).toEqual([]);
    // the same message well formed is taken
    channel.primary.emit('message', good);
    await runtime.getRecorder('service')?.flush();
    await tick();
    expect(primary.stats()).toMatchObject({ registered: 1, received: 1, batches: 1 });
    expect(channel.answers).toEqual([{ mvx: 'mvx-metrics.cluster/3', r: 'service', f: 1 }]);
  });
});

describe('the primary bounds recorder names per worker', () => {
  it('reports the worker, the bound and the first name refused; answers only the refused messages that ask', async () => {
    const { runtime, errors } = runtimeWith(['a', 'b', 'c']);
    const primary = runtime.clusterPrimary({ maxRecorderNames: 2 });
    const channel = new FakeChannel(12);
    primary.attach(channel.primary, { label: 'w12' });
    channel.primary.emit('message', v1('a', [{ type: 'x' }], [1, 0, 0, 0]));
    channel.primary.emit('message', v1('b', [{ type: 'x' }], [1, 0, 0, 0]));
    channel.primary.emit('message', v1('c', [{ type: 'x' }, { type: 'x' }], [2, 0, 0, 0]));
    channel.primary.emit('message', v1('d', [], [0, 0, 0, 0]));
    channel.primary.emit('message', v1('c', [{ type: 'x' }], [3, 0, 0, 0], 4));
    await tick();
    expect(primary.stats()).toMatchObject({ received: 2, refused: 3, registered: 2 });
    expect(errors.map((e) => e.code)).toEqual(['cardinality-limit']);
    expect(errors[0]?.message).toContain('worker w12');
    expect(errors[0]?.message).toContain('more than 2 recorder names');
    expect(errors[0]?.message).toContain('"c"');
    expect(channel.answers).toEqual([{ mvx: 'mvx-metrics.cluster/1', r: 'c', f: 4 }]);
    expect((await telemetry(runtime)).outcomes.refused).toBe(3);
  });
});

describe('option refusals name the call', () => {
  it('createClusterPrimary and ClusterPrimary.attach: options that are no object, a throwing getter', () => {
    const source = { getRecorder: () => undefined };
    const throwing = {
      get label(): string {
        throw new Error('getter broke');
      },
    };
    expect(() => createClusterPrimary(source, 5 as never)).toThrow(
      /^createClusterPrimary: options must be an object/,
    );
    const primary = createClusterPrimary(source);
    const worker = new FakeChannel().primary;
    expect(() => primary.attach(worker, 'slot' as never)).toThrow(
      /^ClusterPrimary\.attach: options must be an object/,
    );
    expect(() => primary.attach(worker, throwing)).toThrow(
      /^ClusterPrimary\.attach: reading option `label` threw: .*getter broke/,
    );
    expect(primary.stats().workers).toBe(0);
  });
});
