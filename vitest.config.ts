import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { IN_PROCESS_DIRS, IN_PROCESS_FILES } from './test/support/in-process.js';

// The longest files start first, in this order, so that none of them is the last one running
// while the other workers sit idle. Vitest orders by the durations it cached on an earlier run;
// on a fresh clone (CI) it has none and starts the largest files first, which left the long soak
// (a small file) to the very end. Durations on a quiet 2-vCPU machine, Node 20.
const LONGEST_FIRST = [
  'test/reliability/soak.test.ts', // ~30 s in CI (.ci/run sets MVX_SOAK_SECONDS=20)
  'test/cluster/prom-client.test.ts', // 27 s, mostly waiting for Prometheus' scrapes
  'test/reliability/exemplar-ids.test.ts', // 16 s
  'test/docs/code-blocks.test.ts', // 11 s
  'test/e2e/npm-start-cluster.test.ts',
  'test/bridge/export-outcomes.test.ts', // 12 s
  'test/reliability/overload.test.ts', // 12 s
  'test/reliability/series-identity.test.ts', // 11 s
  'test/reliability/hanging-collector.test.ts',
  'test/health/otlp-outage.test.ts',
  'test/bridge/otlp-environment.test.ts',
];

/** Unit tests beside the code, and those of them that must run in a fresh module graph. */
export const UNITS = 'packages/*/src/**/*.test.ts';
export const ISOLATED_UNITS = [
  'packages/otel-bridge/src/config/diagnostics.test.ts',
  // These read what OpenTelemetry's `diag` logs while they run (in a shared graph they also saw
  // the warning `diag.setLogger` gives when another file left a logger registered), or create a
  // pipeline and set the global context manager.
  'packages/otel-bridge/src/kinds/kind-instruments-edges.test.ts',
  'packages/otel-bridge/src/otlp/export-errors-edges.test.ts',
  'packages/otel-bridge/src/attach/attach-lifecycle-edges.test.ts',
  'packages/otel-bridge/src/attach/attach-collect-edges.test.ts',
  'packages/otel-bridge/src/prometheus/request-handler-edges.test.ts',
  'packages/otel-bridge/src/config/diagnostics-edges.test.ts',
];
/**
 * The suites under test/ that touch nothing process-wide (the property suites over core, the docs'
 * checks, in-process suites without a pipeline): they share a module graph per worker too.
 * test/support/in-process.test.ts checks them.
 */
export const IN_PROCESS = [
  ...IN_PROCESS_DIRS.map((dir) => `${dir}/**/*.test.ts`),
  ...IN_PROCESS_FILES,
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification): number => {
      const at = LONGEST_FIRST.findIndex((path) => file.moduleId.endsWith(`/${path}`));
      return at === -1 ? LONGEST_FIRST.length : at;
    };
    // A stable sort: every other file keeps vitest's own order.
    return sorted
      .map((file, index) => ({ file, index, rank: rank(file) }))
      .sort((a, b) => a.rank - b.rank || a.index - b.index)
      .map(({ file }) => file);
  }
}

// Workspace packages resolve to their src/ through the `source` export condition. Vitest runs
// tests in Vite's SSR environment, whose conditions are separate from `resolve.conditions`.
export default defineConfig({
  resolve: { conditions: ['@mvx-metrics/source'] },
  ssr: {
    resolve: { conditions: ['@mvx-metrics/source'], externalConditions: ['@mvx-metrics/source'] },
  },
  test: {
    // The files: the two projects below (packages/*/src/**/*.test.ts and test/**/*.test.ts).
    // Installed from packed tarballs in temp projects: `npm run test:consumers` (vitest.consumers.config.ts).
    exclude: ['test/consumers/**', '**/node_modules/**'],
    // A change listener that keeps the change instead of a copy fails the test that runs it.
    setupFiles: ['test/support/detect-kept-changes.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    sequence: { sequencer: LongestFirst },
    // The unit tests beside the code are pure logic: they share one module graph per worker
    // (`isolate: false`), as on Node 22 and 24 (vitest.lines.config.ts). A fresh graph per file
    // costs ~0.3 CPU-s: the 118 unit files take 15 CPU-s so, 46 isolated (Node 20, measured in
    // one window). Units that touch OpenTelemetry's process-wide state (the diag logger) stay
    // isolated. test/core, test/docs and 27 other files of test/ (IN_PROCESS) share a graph per
    // worker too: test/core and test/docs 35.6 -> 25.0 CPU-s, the 27 others 53.6 -> 39.4 (Node 20,
    // one window each, load 8-13). The other tests under test/ keep a fresh process each: they
    // change process.env and process-wide handlers, register OpenTelemetry's globals (a pipeline
    // does), spawn children and send signals.
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: [UNITS], exclude: ISOLATED_UNITS, isolate: false },
      },
      {
        extends: true,
        test: { name: 'in-process', include: IN_PROCESS, isolate: false },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts', ...ISOLATED_UNITS],
          exclude: ['test/consumers/**', '**/node_modules/**', ...IN_PROCESS],
        },
      },
    ],
  },
});
