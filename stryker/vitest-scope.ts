import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { ISOLATED_UNITS } from '../vitest.config.js';

// The repository root. Under Stryker this is the sandbox copy (.stryker-tmp/sandbox-*), where the
// workspace links in node_modules still point at the real packages/: the aliases below send
// `@mvx-metrics/*` imports to the sandbox's (mutated) sources instead.
const root = fileURLToPath(new URL('..', import.meta.url));
const source = (path: string) => `${root}packages/${path}`;

/**
 * Test files in the order a mutant run wants them: quickest first (by the duration vitest last
 * saw, files never run last). Stryker stops a mutant at its first failing test, and vitest's own
 * order puts the slowest files first (right for a parallel run, wrong here: a mutant that a
 * 20 ms unit test kills waited for a 2 s property test first). Which tests run is unchanged.
 */
class QuickestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cache = this.ctx.cache;
    const duration = (spec: TestSpecification) =>
      cache.getFileTestResults(
        `${spec.project.name}:${relative(this.ctx.config.root, spec.moduleId)}`,
      )?.duration ?? Number.POSITIVE_INFINITY;
    return [...files].sort((a, b) => duration(a) - duration(b));
  }
}

/**
 * The per-test (and per-hook) timeout inside a mutation run. A mutant that leaves a promise
 * unsettled (a drain that never ends, a resolve removed) now fails its test after 10 s and counts
 * as killed by a test timeout. At vitest's usual 30 s it became Stryker's own timeout instead
 * (2 x the covering tests' dry-run time + 20 s), which also restarts the test worker, whose first
 * run after that transforms every source again: ~30 s per such mutant. 10 s: a hanging test and
 * its hanging cleanup hook still end within Stryker's 20 s, and it is ~4 x the slowest test left
 * in either package's mutation set on a quiet machine (2.6 s); tests that set their own timeout
 * keep it. `node stryker/score.mjs` counts the kills by a test timeout apart: on a starved
 * machine a slow test could time out without the mutant's help.
 */
export const MUTANT_TEST_TIMEOUT_MS = 10_000;

/**
 * The vitest config of a mutation run: the repository's resolution, only the `include`d tests.
 * They share one module graph (project `shared`), but for the unit files vitest.config.ts keeps
 * isolated (ISOLATED_UNITS: they read OpenTelemetry's process-wide `diag` logger and error
 * handler, which other files leave set), which get a fresh graph each (project `isolated`), as in
 * `npm test`. In one graph, the order vitest picks on a fresh clone (no durations cached yet for
 * QuickestFirst) ran export-errors-edges after a file that left a pipeline's error route live, and
 * the dry run failed.
 */
export function mutationVitestConfig(include: string[], exclude: string[] = []) {
  const isolated = ISOLATED_UNITS.filter((file) =>
    include.some((glob) => file.startsWith(glob.slice(0, glob.indexOf('*')))),
  );
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
      exclude: ['**/node_modules/**', ...exclude],
      testTimeout: MUTANT_TEST_TIMEOUT_MS,
      hookTimeout: MUTANT_TEST_TIMEOUT_MS,
      sequence: { sequencer: QuickestFirst },
      projects: [
        {
          extends: true,
          // Test files share one module graph: a mutant run imports the mutated sources once,
          // not once per test file (core: 139 s -> 49 s for a whole run on a loaded 2-core machine).
          test: {
            name: 'shared',
            include,
            exclude: ['**/node_modules/**', ...exclude, ...isolated],
            isolate: false,
          },
        },
        ...(isolated.length === 0
          ? []
          : [{ extends: true, test: { name: 'isolated', include: isolated, isolate: true } }]),
      ],
    },
  });
}
