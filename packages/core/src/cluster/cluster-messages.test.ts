// What the primary takes from a worker's channel: only well-formed batches of ours, anything else
// (an application's message on the same channel, a damaged counter row) is left alone and books
// nothing; and its self-telemetry from the first collection. Guards behaviour a mutation run found
// unguarded (docs/reliability.md, "Survivors named, per folder", core cluster).
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { MetricsError } from '../errors/index.js';
import { counter } from '../metrics/index.js';
import { MetricsRuntime } from '../runtime/index.js';
import { TAG_V1, TAG_V2 } from './protocol.js';

function primaryWithWorker() {
  const errors: MetricsError[] = [];
  const runtime = new MetricsRuntime({
    namespace: 'p',
    scheduler: 'sync',
    onError: (e) => errors.push(e),
  });
  const recorder = runtime.createRecorder('service', {
    metrics: [counter({ name: 'events', on: 'x' })],
  });
  runtime.start();
  const primary = runtime.clusterPrimary();
  const end = new EventEmitter();
  primary.attach(end as never, { label: 'w' });
  return { runtime, recorder, primary, end, errors };
}

const v1 = (fields: Record<string, unknown>) => ({
  mvx: TAG_V1,
  r: 'service',
  e: [{ type: 'x' }],
  c: [1, 0, 0, 0],
  ...fields,
});

describe('what the primary takes from a worker channel', () => {
  it('leaves alone anything that is not a well-formed batch of ours: nothing booked, nothing reported', () => {
    const { recorder, primary, end, errors } = primaryWithWorker();
    const ignored: unknown[] = [
      null,
      'mvx',
      42,
      { r: 'service', e: [{ type: 'x' }], c: [1, 0, 0, 0] }, // no tag
      v1({ mvx: 'mvx-metrics.cluster/0' }),
      v1({ r: 42 }),
      v1({ e: { 0: { type: 'x' } } }),
      v1({ c: [1, 0, 0] }),
      v1({ c: [1, 0, 0, 0, 0] }),
      v1({ c: { 0: 1, 1: 0, 2: 0, 3: 0 } }),
      v1({ c: [-1, 0, 0, 0] }),
      v1({ c: [1.5, 0, 0, 0] }),
      v1({ c: ['1', 0, 0, 0] }),
      v1({ c: [2 ** 53, 0, 0, 0] }),
      v1({ c: [1, 0, Number.NaN, 0] }),
      // version 2 needs its columns
      { mvx: TAG_V2, r: 'service', e: [], k: [], v: [], c: [1, 0, 0, 0] },
      { mvx: TAG_V2, r: 'service', e: [], s: [], v: [], c: [1, 0, 0, 0] },
      { mvx: TAG_V2, r: 'service', e: [], s: [], k: [], c: [1, 0, 0, 0] },
    ];
    for (const message of ignored) end.emit('message', message);
    expect(recorder.stats().registered).toBe(0);
    expect(primary.stats()).toMatchObject({ registered: 0, received: 0, batches: 0, rejected: 0 });
    expect(errors).toEqual([]);
    end.emit('message', v1({}));
    expect(recorder.stats().accepted).toBe(1);
    expect(primary.stats()).toMatchObject({ registered: 1, received: 1, batches: 1 });
  });

  it('books counters that only grow, and counts each outcome once in its telemetry', () => {
    const { runtime, primary, end } = primaryWithWorker();
    end.emit('message', v1({ e: [{ type: 'x' }], c: [4, 2, 1, 0] }));
    // a stale message (lower counters) lowers nothing and counts nothing twice
    end.emit('message', v1({ e: [], c: [3, 1, 0, 0] }));
    end.emit('message', v1({ e: [{ type: 'x' }], c: [6, 3, 1, 0] }));
    expect(primary.stats()).toMatchObject({
      registered: 6,
      received: 2,
      dropped: 3,
      unserialisable: 1,
      inFlight: 0,
      batches: 3,
    });
    const events = runtime
      .getRecorder('mvx_cluster')
      ?.getMetricSnapshots()
      .find((m) => m.name === 'cluster.events');
    const value = (outcome: string) =>
      (
        events?.points.find((p) => p.attributes.outcome === outcome) as
          | { value: number }
          | undefined
      )?.value;
    expect(['received', 'dropped', 'unserialisable'].map(value)).toEqual([2, 3, 1]);
  });

  it('self-telemetry: every outcome and the workers count exist from the start, with a description and a unit', () => {
    const runtime = new MetricsRuntime({ namespace: 'p', scheduler: 'sync' });
    runtime.start();
    runtime.clusterPrimary();
    const snapshots = runtime.getRecorder('mvx_cluster')?.getMetricSnapshots() ?? [];
    const events = snapshots.find((m) => m.name === 'cluster.events');
    expect(
      events?.points.map((p) => [p.attributes.outcome, (p as { value: number }).value]),
    ).toEqual([
      ['received', 0],
      ['dropped', 0],
      ['unserialisable', 0],
      ['lost', 0],
      ['refused', 0],
    ]);
    expect(events?.unit).toBe('{event}');
    expect(events?.description).toMatch(/^Events from worker processes, by outcome/);
    const workers = snapshots.find((m) => m.name === 'cluster.workers');
    expect(workers?.unit).toBe('{worker}');
    expect(workers?.description).toBe('Worker processes connected to the primary');
  });
});
