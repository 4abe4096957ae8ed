// Bundle sizes with esbuild: what a bundler keeps of the packages when an application imports a
// part of them (ESM, "sideEffects": false). Sizes are deterministic: one run, no timing. Each
// entry is bundled from the built packages (run after a build) with --bundle --minify, ESM for
// Node; OpenTelemetry packages are external (they are the application's own dependencies, peers
// of the bridge). The reference is the whole of @mvx-metrics/core bundled the same way.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { formatRatio, machine, printTable, row } from './lib.mjs';

const ENTRIES = {
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
const WHOLE_CORE = "export * from '@mvx-metrics/core';";

/** Minified and gzipped bytes of one entry, bundled as an application would. */
export async function bundleSize(source) {
  const result = await build({
    stdin: { contents: source, resolveDir: process.cwd(), loader: 'js' },
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

const kb = (bytes) => (bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`);

console.log(await machine());
const whole = await bundleSize(WHOLE_CORE);
const rows = [];
for (const [name, source] of Object.entries(ENTRIES)) {
  const size = await bundleSize(source);
  rows.push(
    row(
      name,
      `${kb(size.min)} min, ${kb(size.gzip)} gz`,
      'all of @mvx-metrics/core',
      `${kb(whole.min)} min, ${kb(whole.gzip)} gz`,
      formatRatio(size.min / whole.min),
      '(context)',
      undefined,
    ),
  );
}
printTable('Bundle sizes (esbuild --bundle --minify, ESM, OpenTelemetry external)', rows);
