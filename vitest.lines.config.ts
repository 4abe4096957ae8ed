import { defineConfig } from 'vitest/config';
import base, { ISOLATED_UNITS, UNITS } from './vitest.config.js';

// CI's Node 22 and Node 24 runs (.ci/run): the projects of vitest.config.ts (the unit tests
// beside the code in one module graph per worker, every other file isolated), except
// export-outcomes, which runs once, on Node 20: its real retries wait ~12 s and its timings are
// not per Node line. (Here, not as a CLI --exclude: Vitest applies a CLI exclude to the root
// config, not to its projects.)
const NODE20_ONLY = ['test/bridge/export-outcomes.test.ts'];

const { projects: _projects, ...shared } = base.test ?? {};

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
