import { afterEach, describe, expect, it } from 'vitest';
import { type MetricsError, MetricsWiringError } from '../errors/index.js';
import { counter } from '../metrics/index.js';
import { copyChange, type MetricChange, type MetricsRecorder } from '../recorder/index.js';
import { pointValue } from '../testing/index.js';
import { MetricsRuntime, type MetricsRuntimeOptions } from './index.js';

const runtimes: MetricsRuntime[] = [];
function runtime(options: Partial<MetricsRuntimeOptions> = {}) {
  const errors: MetricsError[] = [];
  const rt = new MetricsRuntime({ namespace: 'docs', onError: (e) => errors.push(e), ...options });
  runtimes.push(rt);
  return Object.assign(rt, { errors });
}
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((rt) => rt.shutdown()));
});

const saves = () => [counter({ name: 'saves', on: 'save' })];

describe('MetricsRuntime wiring', () => {
  it('validates the namespace with the OpenTelemetry instrument-name rule', () => {
    expect(() => new MetricsRuntime({ namespace: '' })).toThrow(MetricsWiringError);
    expect(() => new MetricsRuntime({ namespace: '1docs' })).toThrow(/namespace/);
    expect(() => new MetricsRuntime({ namespace: 'my docs' })).toThrow(MetricsWiringError);
    expect(() => new MetricsRuntime(undefined as never)).toThrow(MetricsWiringError);
    expect(new MetricsRuntime({ namespace: 'acme.storage' }).namespace).toBe('acme.storage');
  });

  it('names recorders as labels print them: lone surrogates and NUL become U+FFFD, and a name that prints like a taken one is a clash', () => {
    const rt = runtime();
    const first = rt.createRecorder('r\uDC00', { metrics: saves });
    expect(first.name).toBe('r\uFFFD');
    for (const twin of ['r\uD800', 'r\uFFFD', 'r\u0000']) {
      const refused = (() => {
        try {
          rt.createRecorder(twin, { metrics: saves });
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      expect(refused).toBeInstanceOf(MetricsWiringError);
      expect((refused as MetricsWiringError).code).toBe('recorder-name-taken');
    }
    expect(
      (() => {
        try {
          rt.createRecorder('r\uD800', { metrics: saves });
        } catch (error) {
          return (error as Error).message;
        }
        return '';
      })(),
    ).toContain('"r\\ud800"');
    expect(rt.getRecorder('r\uD800')).toBe(first);
    expect(rt.recorders()).toEqual([first]);
    expect(rt.exposeRecorder('r\u0000')).toBe(rt.exposeRecorder('r\uDC00'));
  });

  it('removes a recorder by any name that prints like its own', async () => {
    const rt = runtime();
    rt.createRecorder('x\uD800', { metrics: saves });
    expect(await rt.removeRecorder('x\uDFFF')).toBe(true);
    expect(rt.recorders()).toEqual([]);
    rt.createRecorder('x\uDFFF', { metrics: saves });
  });

  it('gives each recorder its own metric instances from a factory called with its name', () => {
    const rt = runtime({ scheduler: 'sync' });
    rt.start();
    const scopes: string[] = [];
    const factory = (scope: string) => {
      scopes.push(scope);
      return saves();
    };
    const a = rt.createRecorder('connection-001', { metrics: factory });
    const b = rt.createRecorder('connection-002', { metrics: factory });
    expect(scopes).toEqual(['connection-001', 'connection-002']);
    expect(a.getMetrics()[0]).not.toBe(b.getMetrics()[0]);
    a.registerEvent({ type: 'save' });
    a.registerEvent({ type: 'save' });
    b.registerEvent({ type: 'save' });
    expect(pointValue(a, 'saves')).toBe(2);
    expect(pointValue(b, 'saves')).toBe(1);
  });

  it('finds, lists and stops recorders by name', async () => {
    const rt = runtime();
    rt.start();
    const a = rt.createRecorder('a', { metrics: saves() });
    const b = rt.createRecorder('b');
    expect(rt.getRecorder('a')).toBe(a);
    expect(rt.getRecorder('missing')).toBeUndefined();
    expect(rt.recorders()).toEqual([a, b]);
    a.registerEvent({ type: 'save' });
    await rt.stopRecorder('a');
    expect(a.state).toBe('stopped');
    expect(pointValue(a, 'saves')).toBe(1);
    expect(rt.recorders()).toEqual([a, b]);
    await expect(rt.stopRecorder('missing')).resolves.toBeUndefined();
  });

  it('removes a recorder after draining it, and frees its name', async () => {
    const rt = runtime();
    rt.start();
    const a = rt.createRecorder('a', { metrics: saves() });
    a.registerEvent({ type: 'save' });
    await expect(rt.removeRecorder('a')).resolves.toBe(true);
    expect(a.state).toBe('stopped');
    expect(pointValue(a, 'saves')).toBe(1);
    expect(rt.getRecorder('a')).toBeUndefined();
    expect(rt.recorders()).toEqual([]);
    await expect(rt.removeRecorder('a')).resolves.toBe(false);
    expect(rt.createRecorder('a')).not.toBe(a);
  });

  it('tells onRecorderAdded / onRecorderRemoved listeners, until they unsubscribe', async () => {
    const rt = runtime();
    rt.start();
    const added: string[] = [];
    const removed: string[] = [];
    const offAdded = rt.onRecorderAdded((r) => added.push(`${r.name}:${r.state}`));
    rt.onRecorderRemoved((r) => removed.push(`${r.name}:${r.state}`));
    rt.createRecorder('a');
    rt.createRecorder('b');
    await rt.removeRecorder('a');
    offAdded();
    rt.createRecorder('c');
    expect(added).toEqual(['a:running', 'b:running']);
    expect(removed).toEqual(['a:stopped']);
  });

  it('contains a recorder listener that throws and reports it', () => {
    const rt = runtime();
    rt.onRecorderAdded(() => {
      throw new Error('bridge broke');
    });
    const recorder = rt.createRecorder('a');
    expect(rt.getRecorder('a')).toBe(recorder);
    expect(rt.errors.map((e) => e.code)).toEqual(['listener-failed']);
    expect(rt.errors[0]?.message).toMatch(/"a".*bridge broke/);
  });

  it('throws when a recorder name is taken', () => {
    const rt = runtime();
    rt.createRecorder('a');
    let caught: unknown;
    try {
      rt.createRecorder('a');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MetricsWiringError);
    expect((caught as MetricsWiringError).code).toBe('recorder-name-taken');
    expect((caught as Error).message).toContain('"a"');
  });

  it('throws for an invalid metric name or duplicate metric when the recorder is created', () => {
    const rt = runtime();
    expect(() =>
      rt.createRecorder('a', {
        metrics: [{ name: 'not valid', handleEvent: () => false, snapshot: () => ({}) as never }],
      }),
    ).toThrow(MetricsWiringError);
    expect(() => rt.createRecorder('b', { metrics: () => [...saves(), ...saves()] })).toThrow(
      /already has a metric named "saves"/,
    );
    expect(rt.recorders()).toEqual([]);
  });

  it('throws on createRecorder after shutdown', async () => {
    const rt = runtime();
    rt.start();
    await rt.shutdown();
    expect(() => rt.createRecorder('late')).toThrow(MetricsWiringError);
    expect(() => rt.createRecorder('late')).toThrow(/shut down/);
  });

  it('passes its buffer options to recorders, which may override them', () => {
    const rt = runtime({ maxPendingEvents: 8, overflow: 'drop-oldest' });
    const inherited = rt.createRecorder('a');
    const own = rt.createRecorder('b', { maxPendingEvents: 2, overflow: 'drop-newest' });
    expect([inherited.capacity, inherited.overflow]).toEqual([8, 'drop-oldest']);
    expect([own.capacity, own.overflow]).toEqual([2, 'drop-newest']);
  });

  it('routes recorder problems to its error handler and contains a handler that throws', () => {
    const rt = new MetricsRuntime({
      namespace: 'docs',
      scheduler: 'sync',
      onError: () => {
        throw new Error('handler broke');
      },
    });
    runtimes.push(rt);
    rt.start();
    const recorder = rt.createRecorder('a', { metrics: saves() });
    expect(() => recorder.registerEvent(42 as unknown as object)).not.toThrow();
    expect(recorder.stats().rejected).toBe(1);
  });
});

describe('MetricsRuntime processing', () => {
  it('never runs a metric inside registerEvent with its default scheduler', async () => {
    const rt = runtime();
    rt.start();
    let inside = false;
    const calls: boolean[] = [];
    const recorder = rt.createRecorder('a', {
      metrics: [
        {
          name: 'probe',
          handleEvent: () => {
            calls.push(inside);
            return true;
          },
          snapshot: () => ({ name: 'probe', kind: 'custom', points: [] }),
        },
      ],
    });
    inside = true;
    recorder.registerEvent({ type: 'save' });
    inside = false;
    expect(calls).toEqual([]);
    await recorder.flush();
    expect(calls).toEqual([false]);
  });

  it('processes every recorder`s pending events on the caller`s stack with processPending()', () => {
    const rt = runtime();
    rt.start();
    const a = rt.createRecorder('a', { metrics: saves() });
    const b = rt.createRecorder('b', { metrics: saves() });
    a.registerEvent({ type: 'save' });
    b.registerEvent({ type: 'save' });
    b.registerEvent({ type: 'save' });
    rt.processPending();
    expect([pointValue(a, 'saves'), pointValue(b, 'saves')]).toEqual([1, 2]);
    expect(a.stats().pending + b.stats().pending).toBe(0);
  });
});

describe('MetricsRuntime lifecycle', () => {
  it('starts recorders created before start(), and starts later ones at creation', async () => {
    const rt = runtime();
    const early = rt.createRecorder('early', { metrics: saves() });
    early.registerEvent({ type: 'save' });
    expect(early.state).toBe('created');
    expect(rt.isRunning).toBe(false);
    rt.start();
    expect(rt.isRunning).toBe(true);
    expect(early.state).toBe('running');
    expect(rt.createRecorder('late').state).toBe('running');
    await early.flush();
    expect(pointValue(early, 'saves')).toBe(1);
  });

  it('drains every recorder on shutdown and is idempotent', async () => {
    const rt = runtime();
    rt.start();
    const a = rt.createRecorder('a', { metrics: saves() });
    const b = rt.createRecorder('b', { metrics: saves() });
    for (let i = 0; i < 50; i++) {
      a.registerEvent({ type: 'save' });
      b.registerEvent({ type: 'save' });
    }
    const first = rt.shutdown();
    expect(rt.shutdown()).toBe(first);
    await first;
    await rt.shutdown();
    expect(rt.isRunning).toBe(false);
    expect([a.state, b.state]).toEqual(['stopped', 'stopped']);
    expect([pointValue(a, 'saves'), pointValue(b, 'saves')]).toEqual([50, 50]);
  });

  it('drains recorders of a runtime that was never started', async () => {
    const rt = runtime();
    const a = rt.createRecorder('a', { metrics: saves() });
    a.registerEvent({ type: 'save' });
    await rt.shutdown();
    expect(pointValue(a, 'saves')).toBe(1);
  });
});

describe('MetricsRuntime context capture', () => {
  it('carries the captured context to the change payload, for present and future recorders', async () => {
    const rt = runtime();
    rt.start();
    const before = rt.createRecorder('before', { metrics: saves() });
    let ambient = 'span-1';
    rt.setContextCapture(() => ambient);
    const after = rt.createRecorder('after', { metrics: saves() });
    const payloads: MetricChange[] = [];
    for (const r of [before, after]) r.onChange((change) => payloads.push(copyChange(change)));
    before.registerEvent({ type: 'save' });
    ambient = 'span-2';
    after.registerEvent({ type: 'save' });
    ambient = 'span-3';
    await Promise.all([before.flush(), after.flush()]);
    expect(payloads.map((p) => [p.recorder.name, p.context])).toEqual([
      ['before', 'span-1'],
      ['after', 'span-2'],
    ]);
  });

  it('contains a capturer that throws: the event is still processed, the failure reported', async () => {
    const rt = runtime();
    rt.start();
    rt.setContextCapture(() => {
      throw new Error('no active span');
    });
    const recorder = rt.createRecorder('a', { metrics: saves() });
    expect(() => recorder.registerEvent({ type: 'save' })).not.toThrow();
    await recorder.flush();
    expect(pointValue(recorder, 'saves')).toBe(1);
    expect(rt.errors.map((e) => e.code)).toEqual(['context-capture-failed']);
    expect(rt.errors[0]?.message).toContain('no active span');
  });

  it('removes the capturer from every recorder with undefined', () => {
    const rt = runtime({ scheduler: 'sync' });
    rt.start();
    const recorder: MetricsRecorder = rt.createRecorder('a', { metrics: saves() });
    const contexts: unknown[] = [];
    recorder.onChange((change) => contexts.push(change.context));
    rt.setContextCapture(() => 'ctx');
    recorder.registerEvent({ type: 'save' });
    rt.setContextCapture(undefined);
    recorder.registerEvent({ type: 'save' });
    expect(contexts).toEqual(['ctx', undefined]);
  });
});

describe('MetricsRuntime bad input', () => {
  it('counts and reports each kind of bad input once, naming the recorder and the value', async () => {
    const rt = runtime();
    rt.start();
    const recorder = rt.createRecorder('storage', {
      metrics: [counter({ name: 'bytes', on: 'save', value: (e: { bytes: number }) => e.bytes })],
    });
    recorder.registerEvent(null as unknown as object);
    recorder.registerEvent(7 as unknown as object);
    for (const bytes of [Number.NaN, Number.POSITIVE_INFINITY, -3, -4, 10]) {
      recorder.registerEvent({ type: 'save', bytes });
    }
    await rt.stopRecorder('storage');
    recorder.registerEvent({ type: 'save', bytes: 1 });
    expect(recorder.stats()).toMatchObject({ rejected: 3, registered: 5, processed: 5 });
    expect(recorder.getMetricSnapshots()[0]).toMatchObject({
      points: [{ attributes: {}, value: 10 }],
      dropped: 4,
    });
    expect(rt.errors.map((e) => e.code)).toEqual([
      'invalid-event',
      'invalid-value',
      'negative-increment',
      'event-after-stop',
    ]);
    for (const error of rt.errors) expect(error.message).toContain('"storage"');
    expect(rt.errors[1]?.message).toMatch(/"bytes".*NaN/);
    expect(rt.errors[2]?.message).toMatch(/"bytes".*-3/);
  });
});
