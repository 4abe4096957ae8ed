// Each kind's instrument on the instruments path (attachOtelBridge on an SDK MeterProvider), as a
// reader of that provider receives it: its unit and description, the exponential histogram's
// negative values (OpenTelemetry's Histogram takes none: warned once, never recorded), and a
// hand-written histogram whose boundaries are unknown. StrykerJS survivors of kinds/.
import {
  exponentialHistogram,
  gauge,
  type Metric,
  MetricsRuntime,
  type MetricUpdate,
  upDownCounter,
} from '@mvx-metrics/core';
import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { DataPointType, type Histogram, MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { cleanUpAfterEach, TestReader } from '../../../../test/bridge/helpers.js';
import { attachOtelBridge } from '../attach/attach-otel-bridge.js';

const { cleanups, errors } = cleanUpAfterEach();

function setup() {
  const runtime = new MetricsRuntime({
    namespace: 'docs',
    scheduler: 'sync',
    onError: errors.onError,
  });
  runtime.start();
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  cleanups.push(
    () => provider.shutdown(),
    () => runtime.shutdown(),
  );
  cleanups.push(
    attachOtelBridge(runtime, { meterProvider: provider, selfTelemetry: false }).detach,
  );
  return { runtime, reader };
}

/** The exported metrics of the `docs` scope by name. */
async function exported(reader: TestReader) {
  const data = await reader.read();
  const scope = data.scopeMetrics.find((s) => s.scope.name === 'docs');
  return new Map((scope?.metrics ?? []).map((metric) => [metric.descriptor.name, metric]));
}

/** Every line OpenTelemetry's `diag` logs at warn level or above while `body` runs. */
async function diagWarnings(body: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const note = (...args: unknown[]) => {
    seen.push(args.map(String).join(' '));
  };
  const logger: DiagLogger = { error: note, warn: note, info() {}, debug() {}, verbose() {} };
  // Without the override message: a logger another file left registered would add a warning.
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  try {
    await body();
  } finally {
    diag.disable();
  }
  return seen;
}

type Ev = { type: string; n: number };

describe('each kind’s instrument on the instruments path', () => {
  it('carries the metric’s unit and description: gauge, up-down counter, exponential histogram', async () => {
    const { runtime, reader } = setup();
    const a = runtime.createRecorder('a', {
      metrics: () => [
        gauge({
          name: 'depth',
          on: 'g',
          value: (e: Ev) => e.n,
          unit: '{item}',
          description: 'Queue depth',
        }),
        upDownCounter({
          name: 'open',
          on: 'u',
          value: (e: Ev) => e.n,
          unit: '{conn}',
          description: 'Open connections',
        }),
        exponentialHistogram({
          name: 'wait',
          on: 'x',
          value: (e: Ev) => e.n,
          unit: 's',
          description: 'Time waited',
        }),
      ],
    });
    a.registerEvent({ type: 'g', n: 4 });
    a.registerEvent({ type: 'u', n: 2 });
    a.registerEvent({ type: 'x', n: 0.5 });
    const metrics = await exported(reader);
    expect(
      ['docs.depth', 'docs.open', 'docs.wait'].map((name) => {
        const d = metrics.get(name)?.descriptor;
        return [name, d?.unit, d?.description];
      }),
    ).toEqual([
      ['docs.depth', '{item}', 'Queue depth'],
      ['docs.open', '{conn}', 'Open connections'],
      ['docs.wait', 's', 'Time waited'],
    ]);
  });

  it('never records an exponential histogram’s negative values (OpenTelemetry’s Histogram refuses them), and warns once per instrument in its own words', async () => {
    const { runtime, reader } = setup();
    const a = runtime.createRecorder('a', {
      metrics: () => [
        exponentialHistogram({ name: 'delta', on: 'x', value: (e: Ev) => e.n }),
        exponentialHistogram({ name: 'skew', on: 'y', value: (e: Ev) => e.n }),
      ],
    });
    let metrics: Awaited<ReturnType<typeof exported>> | undefined;
    const warnings = await diagWarnings(async () => {
      for (const n of [-1, 2, -3, 0.5, -0.25]) a.registerEvent({ type: 'x', n });
      a.registerEvent({ type: 'y', n: -1 });
      a.registerEvent({ type: 'y', n: -2 });
      metrics = await exported(reader);
    });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toBe(
      `otel-bridge: exponential histogram "docs.delta" recorded a negative value; OpenTelemetry's Histogram instrument refuses negative values, so on the instruments path they are not exported (the MetricProducer path exports them).`,
    );
    expect(warnings[1]).toContain('exponential histogram "docs.skew" recorded a negative value');
    // the non-negative values only: 2 and 0.5
    const point = metrics?.get('docs.delta')?.dataPoints[0]?.value as Histogram | undefined;
    expect(point).toMatchObject({ count: 2, sum: 2.5, min: 0.5, max: 2 });
  });

  it('records a hand-written histogram whose boundaries are unknown on the provider’s own buckets', async () => {
    const { runtime, reader } = setup();
    let total = 0;
    let count = 0;
    // its snapshot has no point to learn boundaries from
    const waits: Metric = {
      name: 'waits',
      handleEvent(event: object, update?: MetricUpdate) {
        if ((event as { type?: unknown }).type !== 'waits') return false;
        const n = (event as Ev).n;
        total += n;
        count++;
        if (update !== undefined) update.value = n;
        return true;
      },
      snapshot: () => ({ name: 'waits', kind: 'histogram', points: [] }),
    };
    const a = runtime.createRecorder('a', { metrics: () => [waits] });
    a.registerEvent({ type: 'waits', n: 3 });
    a.registerEvent({ type: 'waits', n: 30 });
    const metric = (await exported(reader)).get('docs.waits');
    expect(metric?.dataPointType).toBe(DataPointType.HISTOGRAM);
    const value = metric?.dataPoints[0]?.value as Histogram | undefined;
    expect({ count: value?.count, sum: value?.sum }).toEqual({ count, sum: total });
    // sdk-metrics' default explicit buckets
    expect(value?.buckets.boundaries).toEqual([
      0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000,
    ]);
  });
});
