import { histogram, MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { AggregationType } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { cleanUpAfterEach } from './helpers.js';

const { cleanups } = cleanUpAfterEach();

describe('createOtelPipeline({ views })', () => {
  it("reports a View that cannot apply to the pipeline's onError once (invalid-option), and keeps the stream on /metrics", async () => {
    const reported: Error[] = [];
    const pipeline = await createOtelPipeline({
      serviceName: 'views',
      prometheus: { host: '127.0.0.1', port: 0 },
      otlp: false,
      registerGlobals: false,
      onError: (error) => reported.push(error),
      views: [
        { instrumentName: 'docs.latency', aggregation: { type: AggregationType.SUM } },
        { instrumentName: 'docs.latency', name: 'docs.latency.renamed' },
      ],
    });
    cleanups.push(() => pipeline.shutdown());
    const runtime = new MetricsRuntime({ namespace: 'docs', scheduler: 'sync' });
    runtime.start();
    cleanups.push(() => runtime.shutdown());
    const bridge = attachOtelBridge(runtime, { meterProvider: pipeline.meterProvider });
    cleanups.push(bridge.detach);
    const recorder = runtime.createRecorder('r', {
      metrics: () => [histogram({ name: 'latency', on: 'x', value: () => 3, buckets: [1, 5] })],
    });
    recorder.registerEvent({ type: 'x' });
    const scrape = async () => (await fetch(pipeline.prometheusUrl as string)).text();
    const first = await scrape();
    await scrape();
    expect(reported.map((e) => [e.name, (e as { code?: string }).code])).toEqual([
      ['OtelBridgeError', 'invalid-option'],
    ]);
    expect(reported[0]?.message).toMatch(
      /views\[0\] asks for aggregation type 2 on "docs.latency"/,
    );
    expect(first).toMatch(/^docs_latency_count\{recorder="r",otel_scope_name="docs"\} 1$/m);
    expect(first).toMatch(/^docs_latency_renamed_count\{recorder="r",otel_scope_name="docs"\} 1$/m);
  });

  it('rejects a wrong View at wiring time, naming it', async () => {
    await expect(
      createOtelPipeline({
        serviceName: 'views',
        prometheus: false,
        otlp: false,
        registerGlobals: false,
        views: [{ instrumentName: 'a.*', name: 'b' }],
      }),
    ).rejects.toThrow(/createOtelPipeline: views\[0\] renames to "b"/);
  });
});
