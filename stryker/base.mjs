// Shared StrykerJS settings of `npm run mutate` (see run.mjs). One Stryker run per package: each
// package's mutants are tested by that package's tests only (stryker/vitest.<package>.config.ts).

import { reportName } from './folders.mjs';

/**
 * @param {'core' | 'bridge'} name the run's name (files under stryker/ and reports/mutation/)
 * @param {string} dir the package folder under packages/
 * @param {string[]} typeOnly files of that package with no runtime code (types, re-export barrels)
 * @returns {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export function packageConfig(name, dir, typeOnly) {
  // `npm run mutate` (run.mjs) runs one folder of src at a time and names it in
  // MVX_MUTATE_CHUNK ('cluster', 'recorder', '.' for the files directly in src): that run mutates
  // the folder only and keeps its own incremental file and report under reports/mutation/<name>/,
  // so each folder's results survive the other folders' runs (Stryker's incremental file holds
  // only the mutants of the run that wrote it). stryker/score.mjs adds the folders up.
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: set by stryker/run.mjs for Stryker, not a turbo task
  const chunk = process.env.MVX_MUTATE_CHUNK;
  const src = `packages/${dir}/src`;
  const files =
    chunk === undefined
      ? [`${src}/**/*.ts`]
      : chunk === '.'
        ? [`${src}/*.ts`]
        : [`${src}/${chunk}/**/*.ts`];
  const out =
    chunk === undefined
      ? `reports/mutation/${name}`
      : `reports/mutation/${name}/${reportName(chunk)}`;
  return {
    $schema: '../node_modules/@stryker-mutator/core/schema/stryker-schema.json',
    packageManager: 'npm',
    testRunner: 'vitest',
    plugins: ['@stryker-mutator/vitest-runner'],
    vitest: { configFile: `stryker/vitest.${name}.config.ts`, related: true },
    // Each mutant runs only the tests that reached it in the dry run.
    coverageAnalysis: 'perTest',
    mutate: [...files, '!**/*.test.ts', ...typeOnly.map((file) => `!packages/${dir}/src/${file}`)],
    // Results of unchanged code and tests are reused from the previous run on this machine
    // (`--force` re-tests everything). Kept out of git with the reports: the file is generated,
    // several MB per package (it holds the sources and tests it measured), rewritten by every run,
    // and would conflict between any two branches that ran it.
    incremental: true,
    incrementalFile: `${out}-incremental.json`,
    // The machine this was written on has 2 cores shared by many; raise with --concurrency N.
    concurrency: 2,
    reporters: ['progress', 'clear-text', 'html', 'json'],
    htmlReporter: { fileName: `${out}.html` },
    jsonReporter: { fileName: `${out}.json` },
    clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
    thresholds: { high: 85, low: 70, break: null },
    // What the sandbox copy does not need (other runs' sandboxes included).
    ignorePatterns: ['bench', 'reports', '.turbo', 'test/consumers', '.stryker-tmp'],
    // A mutant is a timeout (counted as detected) when its tests take longer than
    // 2 x their dry-run time + 20 s. Stryker's default (1.5 x + 5 s) is too tight on a loaded
    // machine: the test worker restarted after a real timeout loads the sources again inside the
    // next mutant's budget, times out, restarts, and so on (seen on 2 shared cores at load 20:
    // 48 of 354 core mutants "timed out", the worker restarting every 20 s; false kills).
    timeoutMS: 20_000,
    timeoutFactor: 2,
    // Mutants of module-level code (constant tables) would each re-run every test in a fresh
    // environment: too slow for a 2-core machine. They are reported as ignored, not as killed.
    ignoreStatic: true,
    // One temp folder per package: runs of both packages may go side by side.
    tempDirName: `.stryker-tmp/${name}${chunk === undefined ? '' : `-${reportName(chunk)}`}`,
    cleanTempDir: true,
  };
}
