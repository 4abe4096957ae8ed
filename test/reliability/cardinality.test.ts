import { counter, type MetricsError, MetricsRuntime, type NumberPoint } from '@mvx-metrics/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, fixture, resultOf, runNode } from './support/child.js';

describe('50 000 distinct attribute sets on one metric', () => {
  beforeAll(() => ensureBuilt());

  it('keeps at most cardinalityLimit points, one overflow point, known points still updating', async () => {
    const errors: MetricsError[] = [];
    const runtime = new MetricsRuntime({ namespace: 'rel', onError: (e) => errors.push(e) });
    runtime.start();
    const recorder = runtime.createRecorder('cardinality', {
      metrics: [
        counter<{ user: string }>({
          name: 'users',
          on: 'visit',
          attributes: (e) => ({ user: e.user }),
        }),
      ],
    });
    for (let i = 0; i < 50_000; i++) recorder.registerEvent({ type: 'visit', user: `user-${i}` });
    recorder.registerEvent({ type: 'visit', user: 'user-0' });
    await runtime.shutdown();

    const points = recorder.getMetricSnapshots()[0]?.points as NumberPoint[];
    expect(points).toHaveLength(2000);
    const overflow = points.filter((p) => 'otel.metric.overflow' in p.attributes);
    expect(overflow).toEqual([
      { attributes: { 'otel.metric.overflow': true }, value: 50_000 - 1999 },
    ]);
    expect(points.find((p) => p.attributes.user === 'user-0')?.value).toBe(2);
    expect(points.reduce((sum, p) => sum + p.value, 0)).toBe(50_001);
    expect(errors.map((e) => e.code)).toEqual(['cardinality-limit']);
    expect(errors[0]?.message).toContain(
      'Metric "users" in recorder "cardinality" reached its cardinality limit of 2000',
    );
  });

  it('retains no more heap after 500 000 sets than after 50 000 (measured after gc in a child process)', async () => {
    const run = await runNode(fixture('cardinality-heap.mjs'), ['50000', '500000'], {
      nodeArgs: ['--expose-gc'],
      timeoutMs: 30_000,
    });
    expect(run.code, run.stderr).toBe(0);
    const result = resultOf<{
      baseline: number;
      afterFirst: number;
      afterTotal: number;
      points: number;
      overflow: number;
    }>(run);
    const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 100) / 100;
    console.log(
      `[reliability] cardinality heap: baseline ${mb(result.baseline)} MB, after 50k sets ${mb(result.afterFirst)} MB, after 500k sets ${mb(result.afterTotal)} MB`,
    );
    expect(result.points).toBe(2000);
    expect(result.overflow).toBe(500_000 - 1999);
    // 2000 points with short attributes: well under 4 MB; 450 000 more sets must add ~nothing.
    expect(result.afterFirst - result.baseline).toBeLessThan(4 * 2 ** 20);
    expect(result.afterTotal - result.afterFirst).toBeLessThan(512 * 1024);
  });
});
