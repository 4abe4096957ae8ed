import {
  counter,
  gauge,
  type HistogramPoint,
  histogram,
  MetricEvent,
  type MetricsError,
  MetricsRuntime,
  type NumberPoint,
  upDownCounter,
} from '@mvx-metrics/core';
import { afterEach, describe, expect, it } from 'vitest';

class Save extends MetricEvent {
  constructor(
    readonly outcome: string,
    readonly seconds: number,
  ) {
    super();
  }
}
class NobodyKnowsMe {}

const runtimes: MetricsRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.shutdown()));
});

function wiring() {
  const errors: MetricsError[] = [];
  const runtime = new MetricsRuntime({ namespace: 'rel', onError: (e) => errors.push(e) });
  runtimes.push(runtime);
  runtime.start();
  const recorder = runtime.createRecorder('storage', {
    metrics: () => [
      counter<Save>({ name: 'saves', on: Save, attributes: (e) => ({ outcome: e.outcome }) }),
      histogram<Save>({ name: 'save.duration', unit: 's', on: Save, value: (e) => e.seconds }),
      counter({ name: 'typed', on: 'typed' }),
    ],
  });
  return { runtime, recorder, errors };
}

function value(points: unknown, attributes: Record<string, string> = {}): number | undefined {
  return (points as NumberPoint[]).find(
    (p) => JSON.stringify(p.attributes) === JSON.stringify(attributes),
  )?.value;
}

describe('registerEvent with bad input', () => {
  it('rejects null, undefined, strings, numbers, symbols and functions without throwing, counted and reported once', async () => {
    const { recorder, errors } = wiring();
    const bad: unknown[] = [null, undefined, 'text', 42, 0n, Symbol('s'), () => 1];
    for (const input of bad) expect(() => recorder.registerEvent(input as object)).not.toThrow();
    await recorder.flush();
    expect(recorder.stats()).toMatchObject({ rejected: bad.length, registered: 0, processed: 0 });
    const reported = errors.filter((e) => e.code === 'invalid-event');
    expect(reported).toHaveLength(1);
    expect(reported[0]?.message).toContain('Recorder "storage" rejected null');
    expect(reported[0]?.message).toContain('stats().rejected');
  });

  it('processes a frozen event like any other', async () => {
    const { recorder } = wiring();
    recorder.registerEvent(Object.freeze(new Save('success', 0.2)));
    await recorder.flush();
    const [saves] = recorder.getMetricSnapshots();
    expect(value(saves?.points, { outcome: 'success' })).toBe(1);
    expect(recorder.stats()).toMatchObject({ processed: 1, accepted: 1, failed: 0 });
  });

  it('fails only the metric that reads a throwing getter; the others still see the event', async () => {
    const { recorder, errors } = wiring();
    const booby = (): Save =>
      Object.defineProperty(new Save('success', 0.2), 'outcome', {
        get() {
          throw new Error('getter exploded');
        },
      });
    for (let i = 0; i < 3; i++) expect(() => recorder.registerEvent(booby())).not.toThrow();
    const badType = Object.defineProperty({}, 'type', {
      get() {
        throw new Error('type getter exploded');
      },
    });
    expect(() => recorder.registerEvent(badType)).not.toThrow();
    recorder.registerEvent(new Save('success', 0.3));
    await recorder.flush();

    const [saves, duration] = recorder.getMetricSnapshots();
    expect(value(saves?.points, { outcome: 'success' })).toBe(1);
    expect((duration!.points[0] as HistogramPoint).count).toBe(4);
    // 3 × "saves" read the getter, 1 × "typed" read the throwing `type`
    expect(recorder.stats()).toMatchObject({ registered: 5, processed: 5, failed: 4 });
    const failures = errors.filter((e) => e.code === 'metric-failed').map((e) => e.message);
    expect(failures).toEqual([
      'Metric "saves" in recorder "storage" threw on event Save: getter exploded',
      'Metric "typed" in recorder "storage" threw on event Object: type getter exploded',
    ]);
  });

  it('ignores an event whose class no metric knows, without a failure, and reports each unknown type once', async () => {
    const { recorder, errors } = wiring();
    recorder.registerEvent(new NobodyKnowsMe());
    recorder.registerEvent({ type: 'unknown-type' });
    await recorder.flush();
    recorder.registerEvent(new NobodyKnowsMe());
    recorder.registerEvent({ type: 'unknown-type' });
    await recorder.flush();
    expect(recorder.stats()).toMatchObject({ processed: 4, accepted: 0, ignored: 4, failed: 0 });
    expect(errors.map((e) => [e.code, /of type "([^"]+)"/.exec(e.message)?.[1]])).toEqual([
      ['unhandled-event-type', 'NobodyKnowsMe'],
      ['unhandled-event-type', 'unknown-type'],
    ]);
    expect(errors[0]?.message).toMatch(/^Recorder "storage": .* \(1 so far/);
  });
});

describe('bad metric values', () => {
  const bad: unknown[] = [
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    '7',
    7n,
    undefined,
    null,
    {},
  ];
  interface V {
    type: 'v';
    v: unknown;
  }
  const readV = (e: V) => e.v as number;

  it('drops NaN, ±Infinity, strings, bigints and undefined per metric, counted; state stays finite and exact', async () => {
    const errors: MetricsError[] = [];
    const runtime = new MetricsRuntime({ namespace: 'rel', onError: (e) => errors.push(e) });
    runtimes.push(runtime);
    runtime.start();
    const recorder = runtime.createRecorder('values', {
      metrics: [
        counter<V>({ name: 'c', on: 'v', value: readV }),
        upDownCounter<V>({ name: 'u', on: 'v', value: readV }),
        gauge<V>({ name: 'g', on: 'v', value: readV }),
        histogram<V>({ name: 'h', on: 'v', value: readV, buckets: [1, 2, 5] }),
      ],
    });
    const good = [1, 2, 4];
    for (const g of good) {
      for (const b of bad) expect(() => recorder.registerEvent({ type: 'v', v: b })).not.toThrow();
      recorder.registerEvent({ type: 'v', v: g });
    }
    recorder.registerEvent({ type: 'v', v: -3 }); // negative: refused by the counter and the histogram only
    await recorder.flush();

    const byName = Object.fromEntries(recorder.getMetricSnapshots().map((s) => [s.name, s]));
    const badCount = bad.length * good.length;
    expect(byName.c).toMatchObject({ dropped: badCount + 1, points: [{ value: 7 }] });
    expect(byName.u).toMatchObject({ dropped: badCount, points: [{ value: 4 }] });
    expect(byName.g).toMatchObject({ dropped: badCount, points: [{ value: -3 }] });
    expect(byName.h).toMatchObject({
      dropped: badCount + 1,
      points: [{ count: 3, sum: 7, min: 1, max: 4, bucketCounts: [1, 1, 1, 0] }],
    });
    // JSON would turn NaN/Infinity into null: the state must hold none.
    expect(JSON.stringify(recorder.getMetricSnapshots())).not.toContain('null');
    expect(recorder.stats()).toMatchObject({ processed: badCount + 4, failed: 0 });

    const reported = errors.map((e) => `${e.code} ${e.message.slice(0, 12)}`);
    expect(reported.sort()).toEqual([
      'invalid-value Metric "c" i',
      'invalid-value Metric "g" i',
      'invalid-value Metric "h" i',
      'invalid-value Metric "u" i',
      'negative-increment Metric "c" i',
    ]);
    expect(errors.find((e) => e.message.startsWith('Metric "c"'))?.message).toBe(
      'Metric "c" in recorder "values" dropped value NaN: not a finite number.',
    );
  });

  it('counts a value function that throws as a failure of that metric only', async () => {
    const runtime = new MetricsRuntime({ namespace: 'rel', onError: () => {} });
    runtimes.push(runtime);
    runtime.start();
    const recorder = runtime.createRecorder('values', {
      metrics: [
        gauge<V>({
          name: 'g',
          on: 'v',
          value: (e) => {
            if (e.v === 'boom') throw new Error('value exploded');
            return e.v as number;
          },
        }),
        counter({ name: 'all', on: 'v' }),
      ],
    });
    recorder.registerEvent({ type: 'v', v: 5 });
    recorder.registerEvent({ type: 'v', v: 'boom' });
    await recorder.flush();
    const [g, all] = recorder.getMetricSnapshots();
    expect(g?.points).toEqual([{ attributes: {}, value: 5 }]);
    expect(all?.points).toEqual([{ attributes: {}, value: 2 }]);
    expect(recorder.stats()).toMatchObject({ failed: 1, processed: 2 });
  });
});
