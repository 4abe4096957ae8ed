// An attachOtelBridge that refuses its target (a name clash among the present recorders) leaves
// nothing behind on the user's MeterProvider: no callback of the bridge's is called again, no
// series of the bridge's is exported, and a corrected attach exports each series once.
import { counter, gauge, MetricsRuntime, MetricsWiringError } from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { cleanUpAfterEach, TestReader } from './helpers.js';

const { cleanups, errors } = cleanUpAfterEach();

describe('a refused attach', () => {
  it('leaves no instrument callback on the MeterProvider: nothing of the bridge’s is exported afterwards', async () => {
    const runtime = new MetricsRuntime({
      namespace: 'docs',
      scheduler: 'sync',
      onError: errors.onError,
    });
    runtime.start();
    runtime.createRecorder('r1', { metrics: () => [counter({ name: 'x', on: 'x' })] });
    const clashing = runtime.createRecorder('r2', {
      metrics: () => [gauge({ name: 'x', on: 'x', value: () => 1 })],
    });
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    cleanups.push(
      () => meterProvider.shutdown(),
      () => runtime.shutdown(),
    );
    for (const selfTelemetry of [undefined, true, false]) {
      expect(() =>
        attachOtelBridge(runtime, {
          meterProvider,
          ...(selfTelemetry === undefined ? {} : { selfTelemetry }),
        }),
      ).toThrow(MetricsWiringError);
    }
    const points = async () =>
      (await reader.read()).scopeMetrics
        .flatMap((scope) => scope.metrics)
        .flatMap((metric) => metric.dataPoints.map(() => metric.descriptor.name));
    expect(await points()).toEqual([]);
    await runtime.shutdown(); // a state change: still nothing of a bridge that never attached
    expect(await points()).toEqual([]);
    // Once the clash is gone, an attach exports each series of its self-telemetry once.
    await runtime.removeRecorder(clashing.name);
    const bridge = attachOtelBridge(runtime, { meterProvider });
    cleanups.push(bridge.detach);
    const names = await points();
    expect(names.filter((name) => name === 'mvx.runtime.state')).toHaveLength(5);
  });
});
