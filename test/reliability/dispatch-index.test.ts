// The dispatch index under adversarial use: classes created per event, `type` strings that carry
// ids, and events built to break a lookup. Results must equal asking every metric; memory and
// reports must stay bounded; nothing may escape to the caller or the event loop.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { counter, MetricEvent, type MetricsError, MetricsRuntime } from '@mvx-metrics/core';
import { afterEach, describe, expect, it } from 'vitest';

class Base extends MetricEvent {}
class Unrelated extends MetricEvent {}

const runtimes: MetricsRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.shutdown()));
});

function wiring(metrics: () => ReturnType<typeof counter>[]) {
  const errors: MetricsError[] = [];
  const runtime = new MetricsRuntime({ namespace: 'rel', onError: (e) => errors.push(e) });
  runtimes.push(runtime);
  runtime.start();
  const recorder = runtime.createRecorder('storage', { metrics });
  const total = (name: string) =>
    recorder
      .getMetricSnapshots()
      .find((s) => s.name === name)
      ?.points.reduce((sum, p) => sum + ('value' in p ? p.value : 0), 0);
  return { recorder, errors, total };
}

function fullGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('dispatch index under adversarial use', () => {
  it('a class created per event: counts stay exact, the index keeps at most 1024 classes alive, one report', async () => {
    const { recorder, errors, total } = wiring(() => [
      counter({ name: 'base', on: Base }),
      counter({ name: 'dyn', on: 'dyn' }),
      ...Array.from({ length: 18 }, (_, i) =>
        counter({ name: `unrelated.${i}`, on: i % 2 ? Unrelated : `other.${i}` }),
      ),
    ]);
    const alive: WeakRef<object>[] = [];
    const N = 5000;
    // in a function of its own, so no frame of the test keeps the last class alive
    const produce = () => {
      for (let i = 0; i < N; i++) {
        const PerRequest = class extends Base {
          readonly type = 'dyn';
        };
        alive.push(new WeakRef(PerRequest));
        recorder.registerEvent(new PerRequest());
      }
    };
    produce();
    await recorder.flush();
    expect(total('base')).toBe(N);
    expect(total('dyn')).toBe(N);
    expect(total('unrelated.1')).toBe(0);
    expect(recorder.stats()).toMatchObject({ registered: N, processed: N, accepted: N, failed: 0 });
    expect(errors.map((e) => e.code)).toEqual(['dispatch-index-full']);
    fullGc();
    await new Promise((resolve) => setImmediate(resolve));
    fullGc();
    const kept = alive.filter((ref) => ref.deref() !== undefined).length;
    expect(kept).toBeLessThanOrEqual(1024);
    expect(kept).toBeLessThan(N);
  });

  it('`type` strings that carry an id: each event ignored and counted, reports stop after 100 types', async () => {
    const { recorder, errors } = wiring(() => [counter({ name: 'base', on: Base })]);
    const N = 10_000;
    for (let i = 0; i < N; i++) recorder.registerEvent({ type: `order.${i}.paid` });
    await recorder.flush();
    expect(recorder.stats()).toMatchObject({ processed: N, ignored: N, failed: 0 });
    expect(errors).toHaveLength(101);
    expect(errors.every((e) => e.code === 'unhandled-event-type')).toBe(true);
    expect(errors.at(-1)?.message).toMatch(/more than 100 types/);
  });

  it('events built to break a lookup never escape; the others are counted as without an index', async () => {
    const { recorder, errors, total } = wiring(() => [
      counter({ name: 'base', on: Base }),
      counter({ name: 'typed', on: 'typed' }),
      counter({ name: 'even', on: (e: { n?: number }) => e.n === 2 }),
    ]);
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    let flip = false;
    const shifty = new Proxy(
      {},
      {
        getPrototypeOf: () => {
          flip = !flip;
          return flip ? Base.prototype : Unrelated.prototype;
        },
      },
    );
    const trapThrows = new Proxy(
      {},
      {
        getPrototypeOf: () => {
          throw new Error('no prototype for you');
        },
      },
    );
    const typeThrows = Object.defineProperty(new Base(), 'type', {
      get() {
        throw new Error('no type');
      },
    });
    const ctorThrows = Object.defineProperty({}, 'constructor', {
      get() {
        throw new Error('no constructor');
      },
    });
    const odd = [
      revoked.proxy,
      shifty,
      trapThrows,
      typeThrows,
      ctorThrows,
      Object.freeze(new Base()),
    ];
    for (const event of odd) expect(() => recorder.registerEvent(event)).not.toThrow();
    for (const event of [new Base(), { type: 'typed' }, { n: 2 }]) recorder.registerEvent(event);
    await recorder.flush();
    const stats = recorder.stats();
    expect(stats.registered).toBe(stats.processed + stats.dropped + stats.pending);
    expect(stats.processed).toBe(odd.length + 3);
    // typeThrows, the frozen Base and the plain Base are Bases
    expect(total('base')).toBeGreaterThanOrEqual(3);
    expect(total('base')).toBeLessThanOrEqual(4); // the shifty proxy may pass as a Base once
    expect(total('typed')).toBe(1);
    expect(total('even')).toBe(1);
    expect(recorder.state).toBe('running');
    expect(errors.every((e) => typeof e.message === 'string')).toBe(true);
  });
});
