// What a bridged runtime's lifecycle shows outside: the `diag` line of each transition, the span
// event of each transition on the span active then (`spans: true`), the final export on the
// terminal state through the destination's forceFlush, and its failure reported once to onError.
// StrykerJS survivors of attach/runtime-watch.ts (docs/reliability.md).
import { counter, type MetricsError, MetricsRuntime, type Scheduler } from '@mvx-metrics/core';
import {
  context,
  type DiagLogger,
  DiagLogLevel,
  diag,
  type MeterProvider as MeterProviderApi,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { cleanUpAfterEach, TestReader } from '../../../../test/bridge/helpers.js';
import { attachOtelBridge } from './attach-otel-bridge.js';

const { cleanups } = cleanUpAfterEach();

/** A MeterProvider over the real SDK's whose forceFlush the test scripts, counting the calls. */
function scriptedProvider(flush: () => Promise<void>) {
  const reader = new TestReader();
  const sdk = new MeterProvider({ readers: [reader] });
  cleanups.push(() => sdk.shutdown());
  let flushes = 0;
  const provider: MeterProviderApi & { forceFlush(): Promise<void> } = {
    getMeter: (...args) => sdk.getMeter(...args),
    forceFlush: () => {
      flushes++;
      return flush();
    },
  };
  return { provider, flushes: () => flushes };
}

function bridged(meterProvider: MeterProviderApi, extra: { spans?: boolean } = {}) {
  const reports: MetricsError[] = [];
  const runtime = new MetricsRuntime({ namespace: 'docs', scheduler: 'sync' });
  runtime.start();
  runtime.createRecorder('r', { metrics: () => [counter({ name: 'hits', on: 'hit' })] });
  const bridge = attachOtelBridge(runtime, {
    meterProvider,
    onError: (error) => reports.push(error),
    ...extra,
  });
  cleanups.push(
    () => runtime.shutdown(),
    () => bridge.detach(),
  );
  return { runtime, bridge, reports };
}

/** Every line OpenTelemetry's `diag` logs at info level or above while `body` runs. */
async function diagLines(body: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const note = (...args: unknown[]) => {
    seen.push(args.map(String).join(' '));
  };
  const logger: DiagLogger = { error: note, warn: note, info: note, debug() {}, verbose() {} };
  // Without the override message: a logger another file left registered would add a line.
  diag.setLogger(logger, { logLevel: DiagLogLevel.INFO, suppressOverrideMessage: true });
  try {
    await body();
  } finally {
    diag.disable();
  }
  return seen;
}

/** Lets the final export (started on the terminal state, not awaited by shutdown) settle. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('a bridged runtime’s lifecycle', () => {
  it('logs each transition on diag, and the final export once done', async () => {
    const { provider, flushes } = scriptedProvider(() => Promise.resolve());
    const { runtime, reports } = bridged(provider);
    const lines = await diagLines(async () => {
      await runtime.shutdown();
      await settled();
    });
    const ours = lines.filter((line) => line.startsWith('@mvx-metrics/otel-bridge'));
    expect(ours).toEqual([
      '@mvx-metrics/otel-bridge: runtime "docs" running → draining',
      '@mvx-metrics/otel-bridge: runtime "docs" draining → drained',
      '@mvx-metrics/otel-bridge: runtime "docs" drained: final export done',
    ]);
    expect(flushes()).toBe(1);
    expect(reports).toEqual([]);
  });

  it('exports once more on the failed state too (a drain that could not finish)', async () => {
    const { provider, flushes } = scriptedProvider(() => Promise.resolve());
    const runtimeReports: MetricsError[] = [];
    // a scheduler that is gone: the shutdown's drain cannot finish, the runtime ends 'failed'
    const scheduler: Scheduler = {
      schedule() {
        throw new Error('scheduler is gone');
      },
      stats: () => ({ turns: 0, visits: 0 }),
    };
    const runtime = new MetricsRuntime({
      namespace: 'docs',
      scheduler,
      onError: (error) => runtimeReports.push(error),
    });
    runtime.start();
    const bridge = attachOtelBridge(runtime, { meterProvider: provider });
    cleanups.push(bridge.detach);
    runtime
      .createRecorder('r', { metrics: () => [counter({ name: 'hits', on: 'hit' })] })
      .registerEvent({ type: 'hit' });
    const lines = await diagLines(async () => {
      await runtime.shutdown({ timeoutMs: 600_000 });
      await settled();
    });
    expect(runtime.state).toBe('failed');
    expect(lines.filter((line) => line.startsWith('@mvx-metrics/otel-bridge'))).toEqual([
      '@mvx-metrics/otel-bridge: runtime "docs" running → draining',
      '@mvx-metrics/otel-bridge: runtime "docs" draining → failed',
      '@mvx-metrics/otel-bridge: runtime "docs" failed: final export done',
    ]);
    expect(flushes()).toBe(1);
    expect(runtimeReports.map((r) => r.code)).toContain('shutdown-timeout');
  });

  it('reports a final export that fails once, as export-failed, with the state and the cause', async () => {
    const cause = new Error('collector gone');
    const { provider, flushes } = scriptedProvider(() => Promise.reject(cause));
    const { runtime, reports } = bridged(provider);
    await runtime.shutdown();
    await settled();
    expect(flushes()).toBe(1);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      code: 'export-failed',
      message: 'The final export after runtime "docs" became drained failed: collector gone',
      cause,
    });
    // a rejection that is no Error is shown as it is
    const second = scriptedProvider(() => Promise.reject('refused'));
    const other = bridged(second.provider);
    await other.runtime.shutdown();
    await settled();
    expect(other.reports.map((r) => r.message)).toEqual([
      'The final export after runtime "docs" became drained failed: refused',
    ]);
  });

  it('exports nothing more through a provider without forceFlush (the API’s), and reports nothing', async () => {
    const { provider } = scriptedProvider(() => Promise.resolve());
    const bare: MeterProviderApi = { getMeter: provider.getMeter };
    const { runtime, reports } = bridged(bare);
    const lines = await diagLines(async () => {
      await runtime.shutdown();
      await settled();
    });
    expect(lines.filter((line) => line.includes('final export'))).toEqual([]);
    expect(reports).toEqual([]);
  });

  it('after detach, neither logs nor exports at the terminal state', async () => {
    const { provider, flushes } = scriptedProvider(() => Promise.resolve());
    const { runtime, bridge } = bridged(provider);
    bridge.detach();
    const lines = await diagLines(async () => {
      await runtime.shutdown();
      await settled();
    });
    expect(lines.filter((line) => line.startsWith('@mvx-metrics/otel-bridge'))).toEqual([]);
    expect(flushes()).toBe(0);
  });

  it('with spans: true, adds each transition as an event on the span active then', async () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    const installed = context.setGlobalContextManager(manager);
    cleanups.push(() => {
      if (installed) context.disable();
    });
    expect(installed).toBe(true);
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new TracerProvider({
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    cleanups.push(() => tracerProvider.shutdown());
    const { provider } = scriptedProvider(() => Promise.resolve());
    const { runtime } = bridged(provider, { spans: true });
    // tracerProvider given for the event spans; the state events go on whatever span is active
    const tracer = tracerProvider.getTracer('test');
    await tracer.startActiveSpan('shutdown', async (span) => {
      await runtime.shutdown();
      span.end();
    });
    const [span] = exporter.getFinishedSpans().filter((s) => s.name === 'shutdown');
    expect(
      span?.events.map((event) => ({ name: event.name, attributes: event.attributes })),
    ).toEqual([
      {
        name: 'mvx.runtime.state_change',
        attributes: {
          'mvx.namespace': 'docs',
          'mvx.runtime.state': 'draining',
          'mvx.runtime.previous_state': 'running',
        },
      },
      {
        name: 'mvx.runtime.state_change',
        attributes: {
          'mvx.namespace': 'docs',
          'mvx.runtime.state': 'drained',
          'mvx.runtime.previous_state': 'draining',
        },
      },
    ]);
    // without spans: true, none
    const quiet = bridged(provider);
    await tracer.startActiveSpan('quiet', async (span) => {
      await quiet.runtime.shutdown();
      span.end();
    });
    expect(exporter.getFinishedSpans().find((s) => s.name === 'quiet')?.events).toEqual([]);
  });
});
