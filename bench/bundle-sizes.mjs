// Bundle sizes with esbuild: what a bundler keeps of the packages when an application imports a
// part of them (ESM, "sideEffects": false). Sizes are deterministic: one run, no timing. Shared by
// bench/bundle.bench.mjs (the table it prints) and test/docs/bundle-figures.test.ts (which holds
// docs/performance.md's bundle table and the README's bundler row to these sizes). Each
// entry is bundled from the built packages (run after a build) with --bundle --minify, ESM for
// Node; OpenTelemetry packages are external (they are the application's own dependencies, peers
// of the bridge). The reference is the whole of @mvx-metrics/core bundled the same way.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const ENTRIES = {
  'MetricEvent alone': "export { MetricEvent } from '@mvx-metrics/core';",
  'a tiny service: runtime, recorder, counter, histogram, one event': `
    import { counter, histogram, MetricEvent, MetricsRuntime } from '@mvx-metrics/core';
    class Saved extends MetricEvent {
      constructor(outcome, seconds) { super(); this.outcome = outcome; this.seconds = seconds; }
    }
    const runtime = new MetricsRuntime({ namespace: 'docs' });
    runtime.start();
    const recorder = runtime.createRecorder('store', { metrics: () => [
      counter({ name: 'saves', on: Saved, attributes: (e) => ({ outcome: e.outcome }) }),
      histogram({ name: 'save.duration', unit: 's', on: Saved, value: (e) => e.seconds }),
    ] });
    recorder.registerEvent(new Saved('success', 0.01));`,
  'the testing kit (createTestRecorder, pointValue, histogramPoint)':
    "export { createTestRecorder, pointValue, histogramPoint } from '@mvx-metrics/core/testing';",
  'the bridge (attachOtelBridge), OpenTelemetry external':
    "export { attachOtelBridge } from '@mvx-metrics/otel-bridge';",
  'the pipeline (createOtelPipeline), OpenTelemetry external':
    "export { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';",
};
export const WHOLE_CORE = "export * from '@mvx-metrics/core';";

/**
 * Minified and gzipped bytes of one entry, bundled as an application would; `@mvx-metrics/*`
 * resolve from `resolveDir` (another build's tree: bench/bundle-history.mjs).
 */
export async function bundleSize(source, resolveDir = process.cwd()) {
  const result = await build({
    stdin: { contents: source, resolveDir, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    external: ['@opentelemetry/*', '@grpc/grpc-js'],
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  return { min: code.byteLength, gzip: gzipSync(code).byteLength };
}

/** Bytes as the guide writes them: `40 B`, `39.4 KB` (1 KB = 1024 B). */
export const kb = (bytes) => (bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`);
