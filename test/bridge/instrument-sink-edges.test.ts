// The instruments path (attachOtelBridge on any MeterProvider) as a user's MeterProvider sees it:
// which instruments the bridge creates on its meters, and when it registers and removes its batch
// callbacks; units and descriptions; hand-written metrics; delta readers. Kept apart from
// instruments-path.test.ts so that a mutation run of src/instruments re-tests only what this covers.
import {
  counter,
  histogram,
  type Metric,
  MetricsRuntime,
  type MetricUpdate,
} from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import {
  type DiagLogger,
  DiagLogLevel,
  diag,
  type Meter,
  type MeterProvider as MeterProviderApi,
} from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { cleanUpAfterEach, exportedSeries, TestReader } from './helpers.js';

const { cleanups, errors } = cleanUpAfterEach();

const SELF_SCOPE = '@mvx-metrics/otel-bridge';

/**
 * A MeterProvider that hands out the real SDK's meters, noting every call the bridge makes on
 * them: `<meter> <method> <instrument name or the callback's instrument names>`.
 */
function spyingProvider(inner: MeterProvider) {
  const calls: string[] = [];
  const names = new WeakMap<object, string>();
  const nameOf = (instrument: unknown) =>
    (typeof instrument === 'object' && instrument !== null && names.get(instrument)) ||
    `not an instrument of this meter: ${JSON.stringify(instrument)}`;
  const provider: MeterProviderApi = {
    getMeter(name, version, options) {
      const meter = inner.getMeter(name, version, options);
      return new Proxy(meter, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            const method = String(property);
            if (method.endsWith('BatchObservableCallback')) {
              const observables = (args[1] as unknown[]).map(nameOf);
              calls.push(`${name} ${method} [${observables.join(', ')}]`);
            } else {
              calls.push(`${name} ${method} ${String(args[0])}`);
            }
            const result = (value as (...a: unknown[]) => unknown).apply(target, args);
            if (method.startsWith('create') && typeof result === 'object' && result !== null)
              names.set(result, String(args[0]));
            return result;
          };
        },
      }) as Meter;
    },
  };
  return { provider, calls };
}

function setup(temporality?: AggregationTemporality) {
  const runtime = new MetricsRuntime({
    namespace: 'docs',
    scheduler: 'sync',
    onError: errors.onError,
  });
  runtime.start();
  const reader = new TestReader();
  if (temporality !== undefined) {
    Object.defineProperty(reader, 'selectAggregationTemporality', { value: () => temporality });
  }
  const sdk = new MeterProvider({ readers: [reader] });
  const spy = spyingProvider(sdk);
  cleanups.push(
    () => sdk.shutdown(),
    () => runtime.shutdown(),
  );
  return { runtime, reader, sdk, ...spy };
}

const hits = () => counter({ name: 'hits', on: 'hit', unit: '{hit}', description: 'Hits seen' });
const sizes = () =>
  histogram({ name: 'sizes', on: 'size', value: (e: { n: number }) => e.n, buckets: [1, 10] });

/** A hand-written metric of `kind`, whose update is filled in as `fill` says. */
function handWritten(
  name: string,
  kind: string,
  fill: (update: MetricUpdate, event: { n?: number }) => void,
): Metric {
  let total = 0;
  let count = 0;
  return {
    name,
    handleEvent(event: object, update?: MetricUpdate) {
      if ((event as { type?: unknown }).type !== name) return false;
      const n = (event as { n?: number }).n ?? 1;
      total += n;
      count++;
      if (update !== undefined) fill(update, event as { n?: number });
      return true;
    },
    snapshot: () =>
      kind === 'histogram'
        ? {
            name,
            kind,
            points: [
              {
                attributes: {},
                count,
                sum: total,
                min: 0,
                max: total,
                boundaries: [],
                bucketCounts: [count],
              },
            ],
          }
        : { name, kind, points: [{ attributes: {}, value: total }] },
  };
}

describe('instruments path, as the user’s MeterProvider sees it', () => {
  it('creates each instrument once, registers its batch callback once per new set of instruments and removes it once on detach', async () => {
    const { runtime, reader, provider, calls } = setup();
    const bridge = attachOtelBridge(runtime, { meterProvider: provider });
    const a = runtime.createRecorder('a', { metrics: () => [hits(), sizes()] });
    // The self-telemetry instruments and their callback; the mirror's callback, first over none.
    expect(calls.splice(0)).toEqual([
      'docs addBatchObservableCallback []',
      `${SELF_SCOPE} createObservableCounter mvx.recorder.events`,
      `${SELF_SCOPE} createObservableUpDownCounter mvx.recorder.pending`,
      `${SELF_SCOPE} createObservableUpDownCounter mvx.recorder.capacity`,
      `${SELF_SCOPE} createObservableUpDownCounter mvx.runtime.state`,
      `${SELF_SCOPE} addBatchObservableCallback [mvx.recorder.events, mvx.recorder.pending, mvx.recorder.capacity, mvx.runtime.state]`,
      // Recorder a's counter (the histogram waits for its first change, a sync instrument).
      'docs createObservableCounter docs.hits',
      'docs addBatchObservableCallback [docs.hits]',
    ]);
    // A second recorder of the same metrics shares the instruments: nothing new to register.
    const b = runtime.createRecorder('b', { metrics: () => [hits(), sizes()] });
    expect(calls.splice(0)).toEqual([]);
    // The histogram's instrument is made at its first change, once for both recorders.
    for (const recorder of [a, b]) {
      recorder.registerEvent({ type: 'hit' });
      recorder.registerEvent({ type: 'size', n: 3 });
      recorder.registerEvent({ type: 'size', n: 30 });
    }
    expect(calls.splice(0)).toEqual(['docs createHistogram docs.sizes']);
    // Collections with nothing new register nothing again.
    await reader.read();
    await reader.read();
    await Promise.resolve();
    expect(calls.splice(0)).toEqual([]);
    // A metric added after attach: made at the next collection, registered once after it.
    a.addMetric(counter({ name: 'late', on: 'late' }));
    await Promise.all([reader.read(), reader.read()]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls.splice(0)).toEqual([
      'docs createObservableCounter docs.late',
      'docs removeBatchObservableCallback [docs.hits]',
      'docs addBatchObservableCallback [docs.hits, docs.late]',
    ]);
    await reader.read();
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls.splice(0)).toEqual([]);
    // And so does the next one.
    a.addMetric(counter({ name: 'later', on: 'later' }));
    await reader.read();
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls.splice(0)).toEqual([
      'docs createObservableCounter docs.later',
      'docs removeBatchObservableCallback [docs.hits, docs.late]',
      'docs addBatchObservableCallback [docs.hits, docs.late, docs.later]',
    ]);
    // Detach removes both callbacks once, twice or not.
    bridge.detach();
    bridge.detach();
    expect(calls.splice(0)).toEqual([
      'docs removeBatchObservableCallback [docs.hits, docs.late, docs.later]',
      `${SELF_SCOPE} removeBatchObservableCallback [mvx.recorder.events, mvx.recorder.pending, mvx.recorder.capacity, mvx.runtime.state]`,
    ]);
    await reader.read();
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([]);
  });

  it('registers nothing after a detach during the collection that found a new metric', async () => {
    const { runtime, reader, provider, calls, sdk } = setup();
    const bridge = attachOtelBridge(runtime, { meterProvider: provider, selfTelemetry: false });
    const a = runtime.createRecorder('a', { metrics: () => [hits()] });
    // A callback of the user's, after the bridge's: it detaches the bridge mid-collection.
    const meter = sdk.getMeter('user');
    const trigger = meter.createObservableGauge('trigger');
    meter.addBatchObservableCallback(() => bridge.detach(), [trigger]);
    a.addMetric(counter({ name: 'late', on: 'late' }));
    calls.splice(0);
    await reader.read();
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([
      'docs createObservableCounter docs.late',
      'docs removeBatchObservableCallback [docs.hits]',
    ]);
  });
});

/** Every call of OpenTelemetry's `diag` at warn level or above while `body` runs. */
async function diagWarnings(body: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const note = (...args: unknown[]) => {
    seen.push(args.map(String).join(' '));
  };
  const logger: DiagLogger = { error: note, warn: note, info() {}, debug() {}, verbose() {} };
  diag.setLogger(logger, DiagLogLevel.WARN);
  try {
    await body();
  } finally {
    diag.disable();
  }
  return seen;
}

describe('instruments path, what a reader receives', () => {
  it('gives observed instruments and the self-telemetry instruments their unit and description', async () => {
    const { runtime, reader, provider } = setup();
    cleanups.push(attachOtelBridge(runtime, { meterProvider: provider }).detach);
    runtime.createRecorder('a', { metrics: () => [hits()] });
    const data = await reader.read();
    const descriptors = new Map(
      data.scopeMetrics.flatMap((scope) =>
        scope.metrics.map((m) => [m.descriptor.name, m.descriptor] as const),
      ),
    );
    expect(descriptors.get('docs.hits')).toMatchObject({ unit: '{hit}', description: 'Hits seen' });
    for (const name of [
      'mvx.recorder.events',
      'mvx.recorder.pending',
      'mvx.recorder.capacity',
      'mvx.runtime.state',
    ]) {
      const descriptor = descriptors.get(name);
      expect(descriptor?.unit, name).toMatch(/^\{(event|runtime)\}$/);
      expect(descriptor?.description.length, name).toBeGreaterThan(10);
    }
    // One point per runtime state, each with its state: nothing else.
    const states = data.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .filter((m) => m.descriptor.name === 'mvx.runtime.state')
      .flatMap(
        (m) => m.dataPoints as Array<{ attributes: Record<string, unknown>; value: unknown }>,
      )
      .map((p) => `${String(p.attributes.state)}=${String(p.value)}`);
    expect(states.sort()).toEqual([
      'drained=0',
      'draining=0',
      'failed=0',
      'initializing=0',
      'running=1',
    ]);
  });

  it('observes only numbers: no warning from OpenTelemetry over collections of a runtime', async () => {
    const { runtime, reader, provider } = setup();
    cleanups.push(attachOtelBridge(runtime, { meterProvider: provider }).detach);
    const a = runtime.createRecorder('a', { metrics: () => [hits(), sizes()] });
    const warnings = await diagWarnings(async () => {
      a.registerEvent({ type: 'hit' });
      a.registerEvent({ type: 'size', n: 2 });
      await reader.read();
      await reader.read();
    });
    expect(warnings).toEqual([]);
  });

  it('bridges a bare recorder: its self-telemetry without a runtime state, no collection error', async () => {
    const runtime = new MetricsRuntime({ namespace: 'docs', scheduler: 'sync' });
    runtime.start();
    const recorder = runtime.createRecorder('solo', { metrics: () => [hits()] });
    const reader = new TestReader();
    const sdk = new MeterProvider({ readers: [reader] });
    cleanups.push(
      () => sdk.shutdown(),
      () => runtime.shutdown(),
    );
    const bridge = attachOtelBridge(recorder, { meterProvider: sdk, namespace: 'solo' });
    cleanups.push(bridge.detach);
    recorder.registerEvent({ type: 'hit' });
    const data = await reader.read(); // fails the test on a collection error
    const names = data.scopeMetrics.flatMap((scope) => scope.metrics.map((m) => m.descriptor.name));
    expect(names).toContain('mvx.recorder.events');
    expect(names).not.toContain('mvx.runtime.state');
    expect(exportedSeries(data).find((s) => s.name === 'solo.hits')?.value).toBe(1);
  });

  it('with a delta reader, exports a hand-written metric’s series only in the collections in which it changed', async () => {
    const { runtime, reader, provider } = setup(AggregationTemporality.DELTA);
    cleanups.push(
      attachOtelBridge(runtime, { meterProvider: provider, selfTelemetry: false }).detach,
    );
    const a = runtime.createRecorder('a', {
      metrics: () => [handWritten('hw', 'counter', () => {})],
    });
    const b = runtime.createRecorder('b', {
      metrics: () => [handWritten('hw', 'counter', () => {})],
    });
    const points = async () =>
      exportedSeries(await reader.read())
        .filter((s) => s.name === 'docs.hw')
        .map((s) => `${String(s.attributes.recorder)}=${String(s.value)}`)
        .sort();
    expect(await points()).toEqual(['a=0', 'b=0']);
    a.registerEvent({ type: 'hw', n: 2 });
    expect(await points()).toEqual(['a=2']);
    b.registerEvent({ type: 'hw', n: 1 });
    expect(await points()).toEqual(['b=1']);
    expect(await points()).toEqual([]);
  });

  it('exports a hand-written metric added after attach from the collection after the one that found it, events or not', async () => {
    const { runtime, reader, provider } = setup();
    cleanups.push(
      attachOtelBridge(runtime, { meterProvider: provider, selfTelemetry: false }).detach,
    );
    const a = runtime.createRecorder('a', { metrics: () => [hits()] });
    await reader.read();
    a.addMetric(handWritten('late', 'counter', () => {}));
    a.registerEvent({ type: 'late', n: 5 });
    await reader.read(); // finds it: its instrument joins the callback from the next collection
    const value = async () =>
      exportedSeries(await reader.read()).find((s) => s.name === 'docs.late')?.value;
    expect(await value()).toBe(5);
  });

  it('records a hand-written histogram that fills in the value only under the recorder attribute alone', async () => {
    const { runtime, reader, provider } = setup();
    cleanups.push(
      attachOtelBridge(runtime, { meterProvider: provider, selfTelemetry: false }).detach,
    );
    const a = runtime.createRecorder('a', {
      metrics: () => [
        handWritten('waits', 'histogram', (update, event) => {
          update.value = event.n ?? 1;
        }),
      ],
    });
    a.registerEvent({ type: 'waits', n: 2 });
    a.registerEvent({ type: 'waits', n: 3 });
    const series = exportedSeries(await reader.read()).filter((s) => s.name === 'docs.waits');
    expect(series).toHaveLength(1);
    expect(series[0]).toMatchObject({ attributes: { recorder: 'a' }, count: 2, sum: 5 });
  });

  it('reports, once per histogram, a hand-written histogram that leaves the update empty', async () => {
    const { runtime, reader, provider } = setup();
    const reports: Array<{ code?: unknown; message: string }> = [];
    cleanups.push(
      attachOtelBridge(runtime, {
        meterProvider: provider,
        selfTelemetry: false,
        onError: (error) => reports.push(error as { code?: unknown; message: string }),
      }).detach,
    );
    const a = runtime.createRecorder('a', {
      metrics: () => [
        handWritten('empty.one', 'histogram', () => {}),
        handWritten('empty.two', 'histogram', () => {}),
      ],
    });
    for (let i = 0; i < 3; i++) {
      a.registerEvent({ type: 'empty.one' });
      a.registerEvent({ type: 'empty.two' });
    }
    await reader.read();
    expect(reports.map((r) => r.code)).toEqual(['hook-failed', 'hook-failed']);
    expect(reports[0]?.message).toMatch(
      /histogram "empty\.one" of recorder "a" .*MetricUpdate.*MetricProducer path/,
    );
    expect(reports[1]?.message).toContain('histogram "empty.two"');
  });

  it('records nothing and throws nothing from the hook for a hand-written metric that cannot be described', async () => {
    const { runtime, reader, provider } = setup();
    const reports: Array<{ code?: unknown }> = [];
    cleanups.push(
      attachOtelBridge(runtime, {
        meterProvider: provider,
        selfTelemetry: false,
        onError: (error) => reports.push(error as { code?: unknown }),
      }).detach,
    );
    const broken: Metric = {
      name: 'broken',
      handleEvent: (event: object) => (event as { type?: unknown }).type === 'broken',
      snapshot: () => {
        throw new Error('no snapshot today');
      },
    };
    const a = runtime.createRecorder('a', { metrics: () => [broken, hits()] });
    a.registerEvent({ type: 'broken' });
    a.registerEvent({ type: 'broken' });
    a.registerEvent({ type: 'hit' });
    expect(exportedSeries(await reader.read()).find((s) => s.name === 'docs.hits')?.value).toBe(1);
    expect(a.stats().failed).toBe(0);
    expect(new Set(reports.map((r) => r.code)).size).toBeLessThanOrEqual(1);
  });
});
