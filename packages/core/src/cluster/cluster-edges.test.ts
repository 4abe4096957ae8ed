// What a user sees at cluster mode's edges: the codes and words of the worker's and the primary's
// reports and refusals, the primary's books and self-telemetry, attach/attachCluster/close. Each
// test guards behaviour a mutation run found unguarded (docs/reliability.md, "Survivors named, per
// folder", core cluster). The in-memory channel is test/support/fake-ipc-channel.ts.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  FakeChannel,
  pumpUntilSettled as pumpUntil,
  connectedCluster as setup,
  tick,
} from '../../../../test/support/fake-ipc-channel.js';
import type { MetricsError, MetricsWiringError } from '../errors/index.js';
import { counter } from '../metrics/index.js';
import { MetricsRuntime } from '../runtime/index.js';
import { createClusterPrimary } from './cluster-primary.js';
import { connectOver } from './connect-to-primary.js';
import type { IpcChannel } from './protocol.js';

describe('cluster edges a user sees (survivors of the first mutation run)', () => {
  const telemetry = (runtime: MetricsRuntime) => {
    const recorder = runtime.getRecorder('mvx_cluster');
    if (recorder === undefined) throw new Error('no mvx_cluster recorder');
    const snapshot = recorder.getMetricSnapshots();
    const events = snapshot.find((m) => m.name === 'cluster.events');
    const workers = snapshot.find((m) => m.name === 'cluster.workers');
    const byOutcome: Record<string, number> = {};
    for (const p of events?.points ?? []) {
      byOutcome[String(p.attributes.outcome)] = (p as { value: number }).value;
    }
    const connected = workers?.points[0] as { value: number } | undefined;
    return { byOutcome, workers: connected?.value ?? 0 };
  };

  it('a worker rejects a non-object and events after close(), each reported once in words; close() sends what is buffered', async () => {
    const { recorder, channel, worker, workerErrors } = setup();
    worker.registerEvent(42 as never);
    worker.registerEvent(null as never);
    worker.registerEvent({ type: 'x' });
    worker.close();
    worker.close();
    worker.registerEvent({ type: 'late' });
    worker.registerEvent({ type: 'later' });
    channel.drain();
    await recorder.flush();
    expect(recorder.stats().accepted).toBe(1);
    expect(worker.stats()).toMatchObject({ registered: 1, sent: 1, rejected: 4, pending: 0 });
    expect(workerErrors.map((e) => [e.code, e.message])).toEqual([
      [
        'invalid-event',
        'Cluster recorder "service" rejected 42: an event must be a non-null object. Counted in stats().rejected.',
      ],
      [
        'event-after-stop',
        'Cluster recorder "service" is closed and rejected event late. Counted in stats().rejected.',
      ],
    ]);
    await worker.flush(); // resolves at once once closed
  });

  it('a full worker buffer drops, reports once in words, and the primary books the drops (stats and telemetry)', async () => {
    const { runtime, primary, channel, worker, workerErrors } = setup({
      capacity: 4,
      batchSize: 8,
    });
    for (let i = 0; i < 7; i++) worker.registerEvent({ type: 'x' });
    expect(worker.stats()).toMatchObject({ registered: 7, dropped: 3, pending: 4 });
    expect(workerErrors.map((e) => [e.code, e.message])).toEqual([
      [
        'buffer-full',
        'Cluster recorder "service" is full (4 events buffered or being written); dropping the newest events. Counted in stats().dropped.',
      ],
    ]);
    await pumpUntil(channel, worker.flush());
    expect(primary.stats()).toMatchObject({ registered: 7, received: 4, dropped: 3, inFlight: 0 });
    expect(telemetry(runtime).byOutcome).toMatchObject({ received: 4, dropped: 3 });
  });

  it('the primary books rejected and unserialisable events of a worker, in its stats and its telemetry', async () => {
    const { runtime, primary, channel, worker, workerErrors } = setup();
    worker.registerEvent(7 as never);
    worker.registerEvent({ type: 'x', big: 1n });
    worker.registerEvent({ type: 'x' });
    await pumpUntil(channel, worker.flush());
    expect(primary.stats()).toMatchObject({
      registered: 2,
      received: 1,
      unserialisable: 1,
      rejected: 1,
      inFlight: 0,
    });
    expect(telemetry(runtime).byOutcome).toMatchObject({ received: 1, unserialisable: 1 });
    const refused = workerErrors.find((e) => e.code === 'event-not-cloneable');
    expect(refused?.message).toMatch(
      /^Cluster recorder "service" cannot send event x to the primary: .+\. Events cross the IPC channel \(JSON by default\): use plain data\. Counted in stats\(\)\.unserialisable\.$/,
    );
  });

  it('primary gone: what was buffered is lost, said in words with the count, once', async () => {
    const { channel, worker, workerErrors } = setup({ batchSize: 8 });
    for (let i = 0; i < 3; i++) worker.registerEvent({ type: 'x' });
    channel.killPrimary();
    await worker.flush();
    worker.registerEvent({ type: 'x' });
    expect(worker.stats()).toMatchObject({ registered: 4, lost: 3, dropped: 1, pending: 0 });
    expect(workerErrors.map((e) => [e.code, e.message])).toEqual([
      [
        'primary-gone',
        'Cluster recorder "service": the channel to the primary is closed; 3 buffered event(s) lost and every later event dropped. Counted in stats().lost and stats().dropped.',
      ],
    ]);
  });

  it('telemetry counts workers attached and gone, and what a killed worker lost', async () => {
    const { runtime, channel, worker } = setup({ capacity: 1000, batchSize: 4 });
    expect(telemetry(runtime).workers).toBe(1);
    // As in 'counts what a killed worker announced but never delivered': 8 arrive, 2 are lost.
    for (let i = 0; i < 10; i++) worker.registerEvent({ type: 'x' });
    channel.pump();
    channel.pump();
    channel.kill();
    await tick();
    const { byOutcome, workers } = telemetry(runtime);
    expect(workers).toBe(0);
    expect(byOutcome).toMatchObject({ received: 8, lost: 2, dropped: 0, unserialisable: 0 });
  });

  it('refuses a source without getRecorder and a bad workerProperty, in words', () => {
    for (const source of [null, undefined, 42, {}]) {
      const error = (() => {
        try {
          createClusterPrimary(source as never);
        } catch (e) {
          return e as MetricsWiringError;
        }
        throw new Error('accepted');
      })();
      expect(error.code).toBe('invalid-option');
      expect(error.message).toMatch(
        /^createClusterPrimary needs a MetricsRuntime \(or an object with getRecorder\(name\)\), got /,
      );
    }
    const runtime = new MetricsRuntime({ namespace: 'w' });
    for (const workerProperty of [42, '', '__proto__']) {
      expect(() => createClusterPrimary(runtime, { workerProperty } as never)).toThrow(
        expect.objectContaining({
          code: 'invalid-option',
          message: expect.stringMatching(
            /^createClusterPrimary: workerProperty must be a non-empty property name other than "__proto__", got /,
          ),
        }),
      );
    }
    expect(() => createClusterPrimary(runtime, { onError: 5 } as never)).toThrow(
      /^createClusterPrimary: /,
    );
  });

  it('attach: refuses what is no worker, a label that is no string, and any worker once closed; labels by pid or the label given', () => {
    const runtime = new MetricsRuntime({ namespace: 'w' });
    const primary = createClusterPrimary(runtime);
    for (const bad of [null, 42, 'worker', {}, { on: 1 }]) {
      expect(() => primary.attach(bad as never)).toThrow(
        expect.objectContaining({
          code: 'invalid-option',
          message: expect.stringMatching(
            /^ClusterPrimary\.attach needs a cluster Worker or a forked ChildProcess, got /,
          ),
        }),
      );
    }
    const a = new FakeChannel(11);
    expect(() => primary.attach(a.primary, { label: 5 } as never)).toThrow(
      expect.objectContaining({
        code: 'invalid-option',
        message: 'ClusterPrimary.attach: label must be a string, got 5.',
      }),
    );
    expect(() => primary.attach(a.primary, 'x' as never)).toThrow(/^ClusterPrimary\.attach: /);
    primary.attach(a.primary);
    const b = new FakeChannel(12);
    primary.attach(b.primary, { label: 'web-1' });
    // a cluster Worker carries its pid on .process
    const c = new FakeChannel(13);
    Object.assign(c.primary, { process: { pid: 99 } });
    primary.attach(c.primary);
    expect(primary.workerStats().map((w) => [w.label, w.pid])).toEqual([
      ['11', 11],
      ['web-1', 12],
      ['99', 99],
    ]);
    expect(primary.stats()).toMatchObject({ workers: 3, connected: 3 });
    primary.close();
    primary.close();
    expect(() => primary.attach(new FakeChannel(14).primary)).toThrow(
      expect.objectContaining({
        code: 'exposure-closed',
        message: 'Cluster primary is closed: attach workers before close().',
      }),
    );
  });

  it('attachCluster takes the workers the cluster has and those it forks, until stopped or closed', () => {
    const runtime = new MetricsRuntime({ namespace: 'w' });
    const primary = createClusterPrimary(runtime);
    const cluster = new EventEmitter() as EventEmitter & { workers: Record<string, unknown> };
    cluster.workers = { 1: new FakeChannel(1).primary, 2: undefined };
    const stop = primary.attachCluster(cluster as never);
    expect(primary.stats().workers).toBe(1);
    cluster.emit('fork', new FakeChannel(2).primary);
    expect(primary.stats().workers).toBe(2);
    stop();
    cluster.emit('fork', new FakeChannel(3).primary);
    expect(primary.stats().workers).toBe(2);
    expect(cluster.listenerCount('fork')).toBe(0);
    const other = new EventEmitter();
    primary.attachCluster(other as never);
    expect(other.listenerCount('fork')).toBe(1);
    primary.close();
    expect(other.listenerCount('fork')).toBe(0);
  });

  it('close() stops taking messages: counts become final with what was announced as in flight', async () => {
    const { runtime, recorder, primary, channel, worker, errors } = setup({ batchSize: 2 });
    for (let i = 0; i < 2; i++) worker.registerEvent({ type: 'x' });
    channel.drain();
    await recorder.flush();
    primary.close();
    expect(channel.primary.listenerCount('message')).toBe(0);
    expect(channel.primary.listenerCount('disconnect')).toBe(0);
    for (let i = 0; i < 4; i++) worker.registerEvent({ type: 'x' });
    channel.drain();
    await recorder.flush();
    expect(recorder.stats().accepted).toBe(2);
    expect(primary.stats()).toMatchObject({ registered: 2, received: 2, connected: 0 });
    expect(telemetry(runtime).workers).toBe(0);
    channel.kill(); // a disconnect after close reports nothing
    expect(errors.filter((e) => e.code === 'worker-events-lost')).toEqual([]);
  });

  it('a revive that throws is reported once in words; the events are registered as received', async () => {
    const errors: MetricsError[] = [];
    const runtime = new MetricsRuntime({
      namespace: 'test',
      scheduler: 'sync',
      onError: (e) => errors.push(e),
    });
    const recorder = runtime.createRecorder('service', {
      metrics: [counter({ name: 'events', on: 'x' })],
    });
    runtime.start();
    const primary = runtime.clusterPrimary({
      revive: () => {
        throw new Error('cannot revive');
      },
    });
    const channel = new FakeChannel();
    primary.attach(channel.primary);
    const worker = connectOver(channel.worker, 'service', { batchSize: 1 });
    for (let i = 0; i < 3; i++) worker.registerEvent({ type: 'x' });
    await pumpUntil(channel, worker.flush());
    expect(recorder.stats().accepted).toBe(3);
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      [
        'listener-failed',
        'Cluster primary: revive threw for an event of recorder "service"; registered as received: cannot revive',
      ],
    ]);
  });

  it('a batch that does not decode is reported naming the worker', async () => {
    const { recorder, channel, errors } = setup();
    channel.primary.emit('message', {
      mvx: 'mvx-metrics.cluster/2',
      r: 'service',
      s: [],
      k: [['v', 'type']],
      v: [-1],
      e: [],
      c: [1, 0, 0, 0],
    });
    await recorder.flush();
    expect(errors.map((e) => e.code)).toEqual(['listener-failed']);
    expect(errors[0]?.message).toMatch(
      /^Cluster primary: receiving a batch from worker 1234 failed: /,
    );
  });

  it('connectOver refuses an empty name and a process without a channel, in words', () => {
    const channel = new FakeChannel();
    const names: [unknown, string][] = [
      ['', '""'],
      [42, '42'],
      [undefined, 'undefined'],
      [1n, '1n'], // JSON.stringify throws on a bigint
      [Symbol('s'), 'a symbol'],
      [{ name: 'service' }, 'an object'],
    ];
    for (const [name, shown] of names) {
      expect(() => connectOver(channel.worker, name as never)).toThrow(
        expect.objectContaining({
          code: 'invalid-recorder-name',
          message: `connectToPrimary needs the name of a recorder of the primary's runtime, got ${shown}.`,
        }),
      );
    }
    expect(() => connectOver(channel.worker, 'service', { batchSize: 0 })).toThrow(
      /^connectToPrimary\("service"\): /,
    );
    const noSend = new EventEmitter() as unknown as IpcChannel;
    channel.connected = false;
    for (const end of [noSend, channel.worker]) {
      expect(() => connectOver(end, 'service')).toThrow(
        expect.objectContaining({
          code: 'no-ipc-channel',
          message: expect.stringMatching(
            /^connectToPrimary\("service"\): this process has no IPC channel to a primary/,
          ),
        }),
      );
    }
  });
});
