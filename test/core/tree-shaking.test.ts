// A bundler keeps only what an application uses of core: the package is ESM with
// "sideEffects": false and no module does work at load time. Bundled with esbuild from the built
// package (run after a build; `npm test` builds first), as bench/bundle.bench.mjs measures it.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function bundledBytes(source: string): Promise<number> {
  const result = await build({
    stdin: { contents: source, resolveDir: ROOT, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.contents.byteLength ?? 0;
}

describe('tree-shaking @mvx-metrics/core with esbuild', () => {
  test('MetricEvent alone bundles to a few dozen bytes, not the package', async () => {
    const whole = await bundledBytes("export * from '@mvx-metrics/core';");
    const event = await bundledBytes("export { MetricEvent } from '@mvx-metrics/core';");
    expect(whole).toBeGreaterThan(20_000);
    expect(event).toBeLessThan(200);
  });

  test('the testing kit leaves the runtime out', async () => {
    const kit = await bundledBytes(
      "export { createTestRecorder, pointValue } from '@mvx-metrics/core/testing';",
    );
    const withRuntime = await bundledBytes(
      "export { createTestRecorder, pointValue } from '@mvx-metrics/core/testing'; export { MetricsRuntime } from '@mvx-metrics/core';",
    );
    expect(withRuntime).toBeGreaterThan(kit);
  });
});
