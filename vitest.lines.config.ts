import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// CI's Node 22 and Node 24 runs (.ci/run): the files of vitest.config.ts, as two projects. The
// unit tests beside the code (pure logic, no servers or child processes) share one module graph
// per worker (`isolate: false`): starting a fresh module graph costs ~0.3 CPU-s per file, a third
// of what those 90 files cost per line. The suite on Node 20 (`npm test`) keeps every file
// isolated, so a test that passes only thanks to another file's leftovers still fails there.
// Units that touch OpenTelemetry's process-wide state (the diag logger) stay isolated.
const ISOLATED_UNITS = ['packages/otel-bridge/src/config/diagnostics.test.ts'];
const UNITS = 'packages/*/src/**/*.test.ts';
// Run once, on Node 20: its real retries wait ~12 s and its timings are not per Node line. (Here,
// not as a CLI --exclude: Vitest applies a CLI exclude to the root config, not to its projects.)
const NODE20_ONLY = ['test/bridge/export-outcomes.test.ts'];

const { include: _all, ...shared } = base.test ?? {};

export default defineConfig({
  resolve: base.resolve,
  ssr: base.ssr,
  test: {
    ...shared,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: [UNITS], exclude: ISOLATED_UNITS, isolate: false },
      },
      {
        extends: true,
        test: {
          name: 'isolated',
          include: ['test/**/*.test.ts', ...ISOLATED_UNITS],
          exclude: [...(shared.exclude ?? []), ...NODE20_ONLY],
        },
      },
    ],
  },
});
