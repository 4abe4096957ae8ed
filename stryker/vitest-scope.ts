import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The repository root. Under Stryker this is the sandbox copy (.stryker-tmp/sandbox-*), where the
// workspace links in node_modules still point at the real packages/: the aliases below send
// `@mvx-metrics/*` imports to the sandbox's (mutated) sources instead.
const root = fileURLToPath(new URL('..', import.meta.url));
const source = (path: string) => `${root}packages/${path}`;

/** The vitest config of a mutation run: the repository's resolution, only the `include`d tests. */
export function mutationVitestConfig(include: string[], exclude: string[] = []) {
  return defineConfig({
    root,
    resolve: {
      alias: [
        { find: /^@mvx-metrics\/core$/, replacement: source('core/src/index.ts') },
        { find: /^@mvx-metrics\/core\/testing$/, replacement: source('core/src/testing/index.ts') },
        { find: /^@mvx-metrics\/core\/worker$/, replacement: source('core/src/workers/worker.ts') },
        // Every entry of core's package.json `exports`: one left out (`./kinds` was) resolves
        // through node_modules to the real packages/, a second copy of core next to the
        // sandbox's, and the bridge's tests fail in the dry run.
        { find: /^@mvx-metrics\/core\/kinds$/, replacement: source('core/src/kinds/index.ts') },
        {
          find: /^@mvx-metrics\/core\/cluster$/,
          replacement: source('core/src/cluster/worker.ts'),
        },
        { find: /^@mvx-metrics\/otel-bridge$/, replacement: source('otel-bridge/src/index.ts') },
        {
          find: /^@mvx-metrics\/otel-bridge\/pipeline$/,
          replacement: source('otel-bridge/src/pipeline/index.ts'),
        },
      ],
      conditions: ['@mvx-metrics/source'],
    },
    ssr: {
      resolve: {
        conditions: ['@mvx-metrics/source'],
        externalConditions: ['@mvx-metrics/source'],
      },
    },
    test: {
      include,
      // Test files share one module graph: a mutant run imports the mutated sources once, not
      // once per test file (core: 139 s -> 49 s for a whole run on a loaded 2-core machine).
      isolate: false,
      exclude: ['**/node_modules/**', ...exclude],
      testTimeout: 30_000,
      hookTimeout: 30_000,
    },
  });
}
