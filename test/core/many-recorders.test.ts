// 10 000 recorders share one runtime scheduler: they all process correctly, and once drained an
// idle recorder costs nothing per turn (no timer per recorder, no visit unless events are pending).
import { counter, histogram, MetricsRuntime } from '@mvx-metrics/core';
import { histogramPoint, pointValue } from '@mvx-metrics/core/testing';
import { afterEach, describe, expect, it } from 'vitest';

const RECORDERS = 10_000;
const runtimes: MetricsRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((rt) => rt.shutdown()));
});

const eventsFor = (i: number) => (i % 4) + 1;

describe('10 000 recorders in one runtime', () => {
  it('process every event exactly, and idle recorders are never visited', async () => {
    // A frozen clock keeps the time budget from splitting turns, so turn counts are exact.
    const runtime = new MetricsRuntime({ namespace: 'scale', clock: () => 0 });
    runtimes.push(runtime);
    runtime.start();
    const metrics = () => [
      counter({
        name: 'requests',
        on: 'request',
        attributes: (e: { ok: boolean }) => ({ ok: e.ok }),
      }),
      histogram({
        name: 'size',
        on: 'request',
        value: (e: { size: number }) => e.size,
        buckets: [1, 2],
      }),
    ];
    const recorders = Array.from({ length: RECORDERS }, (_, i) =>
      runtime.createRecorder(`connection-${i}`, { metrics }),
    );
    expect(runtime.recorders()).toHaveLength(RECORDERS);

    for (let i = 0; i < RECORDERS; i++) {
      const recorder = recorders[i]!;
      for (let k = 0; k < eventsFor(i); k++) {
        recorder.registerEvent({ type: 'request', ok: k % 2 === 0, size: k });
      }
    }
    expect(runtime.scheduler.stats()).toEqual({ turns: 0, visits: 0 });
    await Promise.all(recorders.map((r) => r.flush()));
    // One shared scheduler: one turn drained all of them, one visit each.
    expect(runtime.scheduler.stats()).toEqual({ turns: 1, visits: RECORDERS });

    for (let i = 0; i < RECORDERS; i++) {
      const recorder = recorders[i]!;
      const n = eventsFor(i);
      const ok = Math.ceil(n / 2);
      expect(recorder.stats()).toMatchObject({ registered: n, processed: n, pending: 0 });
      expect(pointValue(recorder, 'requests', { ok: true })).toBe(ok);
      expect(pointValue(recorder, 'requests', { ok: false })).toBe(
        n - ok === 0 ? undefined : n - ok,
      );
      const sizes = histogramPoint(recorder, 'size');
      expect(sizes?.count).toBe(n);
      expect(sizes?.sum).toBe((n * (n - 1)) / 2);
    }

    const before = runtime.scheduler.stats();
    for (const i of [17, 4242, 9999])
      recorders[i]!.registerEvent({ type: 'request', ok: true, size: 5 });
    await Promise.all([17, 4242, 9999].map((i) => recorders[i]!.flush()));
    const after = runtime.scheduler.stats();
    expect(after.visits - before.visits).toBe(3);
    expect(after.turns - before.turns).toBe(1);
    expect(histogramPoint(recorders[4242]!, 'size')?.bucketCounts).toEqual([
      // 4242 % 4 + 1 = 3 events of size 0, 1, 2, then one of size 5
      2, 1, 1,
    ]);

    // Nothing pending anywhere: further turns of the event loop cost no visits at all.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(runtime.scheduler.stats()).toEqual(after);
  });
});
