import { MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline, type OtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';

/** A started runtime, bridged to a pipeline that serves /metrics on a free loopback port. */
export interface ServedRuntime {
  readonly pipeline: OtelPipeline;
  readonly runtime: MetricsRuntime;
  /** Detaches the bridge, drains the runtime and shuts the pipeline down. */
  close(): Promise<void>;
}

/** The suites' fixture: no OTLP, no globals, run-time problems swallowed (the tests assert on outputs). */
export async function startServedRuntime(
  namespace: string,
  serviceName: string,
): Promise<ServedRuntime> {
  const pipeline = await createOtelPipeline({
    serviceName,
    prometheus: { host: '127.0.0.1', port: 0 },
    otlp: false,
    registerGlobals: false,
  });
  const runtime = new MetricsRuntime({ namespace, onError: () => {} });
  runtime.start();
  const bridge = attachOtelBridge(runtime, { meterProvider: pipeline.meterProvider });
  return {
    pipeline,
    runtime,
    async close() {
      bridge.detach();
      await runtime.shutdown();
      await pipeline.shutdown();
    },
  };
}
