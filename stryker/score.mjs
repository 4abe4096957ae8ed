// `node stryker/score.mjs [core|bridge] [--survivors] [--json]`
//
// The mutation score of each package from the folder reports of `npm run mutate`
// (reports/mutation/<package>/<folder>.json, one per folder of src; see run.mjs). Stryker's own
// summary covers one run only, so a package's score is computed here over all its folders with
// mutation-testing-metrics, the package Stryker's reporters use (same formula: killed + timeout
// over killed + timeout + survived + no coverage; ignored, compile and runtime errors left out).
//
// Also says which folders have no report yet (not measured: the score is then of a part only)
// and which measured files changed since their report (stale: run `npm run mutate` again).
// `--survivors` lists every surviving and uncovered mutant by file.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { commonTokens } from '@stryker-mutator/api/plugin';
import { createInstrumenter } from '@stryker-mutator/instrumenter';
import { calculateMetrics } from 'mutation-testing-metrics';
import { createInjector } from 'typed-inject';
import { folders, PACKAGES, reportName, root, typeOnlyOf } from './folders.mjs';

const args = process.argv.slice(2);
const named = args.filter((arg) => Object.hasOwn(PACKAGES, arg));
const wanted = named.length > 0 ? named : Object.keys(PACKAGES);
const listSurvivors = args.includes('--survivors');
const asJson = args.includes('--json');

/**
 * How many mutants Stryker would make in a folder that has no report yet: its own instrumenter,
 * run on the files alone (no tests), so a partial score can say how much is left.
 */
async function countMutants(src, folder, typeOnly) {
  const logger = {
    isDebugEnabled: () => false,
    isTraceEnabled: () => false,
    isInfoEnabled: () => false,
    debug() {},
    trace() {},
    info() {},
    warn() {},
    error() {},
    fatal() {},
  };
  const instrumenter = createInstrumenter(
    createInjector()
      .provideValue(commonTokens.logger, logger)
      .provideValue(commonTokens.getLogger, () => logger),
  );
  const inFolder = readdirSync(join(root, src, folder), { recursive: true })
    .map((file) => (folder === '.' ? file : `${folder}/${file}`))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .filter((file) => !typeOnly.includes(file) && (folder !== '.' || !file.includes('/')));
  let count = 0;
  for (const file of inFolder) {
    const name = `${src}/${file}`;
    const content = readFileSync(join(root, name), 'utf8');
    const { mutants } = await instrumenter.instrument([{ name, content, mutate: true }], {
      plugins: null,
      excludedMutations: [],
      ignorers: [],
      noHeader: false,
    });
    count += mutants.length;
  }
  return count;
}

/**
 * Kills by a test's own timeout (stryker/vitest-scope.ts, MUTANT_TEST_TIMEOUT_MS): counted as
 * killed, like Stryker's own timeouts, but shown apart: on a starved machine a slow test could
 * time out without the mutant's help.
 */
const byTestTimeout = (result) =>
  Object.values(result)
    .flatMap((file) => file.mutants)
    .filter(
      (mutant) =>
        mutant.status === 'Killed' &&
        /(Test|Hook) timed out in \d+ ?ms/.test(mutant.statusReason ?? ''),
    ).length;

const percent = (value) => (Number.isNaN(value) ? '  n/a' : `${value.toFixed(1)} %`);

async function packageScore(name) {
  const src = `packages/${PACKAGES[name]}/src`;
  const dir = join(root, 'reports/mutation', name);
  const files = {};
  const missing = [];
  const byFolder = [];
  const typeOnly = await typeOnlyOf(name);
  for (const folder of folders(PACKAGES[name], typeOnly)) {
    const path = join(dir, `${reportName(folder)}.json`);
    if (!existsSync(path)) {
      missing.push({ folder, mutants: await countMutants(src, folder, typeOnly) });
      continue;
    }
    const report = JSON.parse(readFileSync(path, 'utf8'));
    const own = {};
    for (const [file, result] of Object.entries(report.files)) {
      // Stryker names files relative to the root it ran in.
      const key = relative(root, join(root, file));
      own[key] = result;
      files[key] = result;
    }
    byFolder.push({
      folder,
      metrics: calculateMetrics(own).metrics,
      testTimeouts: byTestTimeout(own),
    });
  }
  const stale = Object.entries(files)
    .filter(([file, result]) => {
      const path = join(root, file);
      return !existsSync(path) || readFileSync(path, 'utf8') !== result.source;
    })
    .map(([file]) => file);
  const result = calculateMetrics(files);
  const survivors = [];
  for (const [file, fileResult] of Object.entries(files)) {
    for (const mutant of fileResult.mutants) {
      if (mutant.status !== 'Survived' && mutant.status !== 'NoCoverage') continue;
      const { line, column } = mutant.location.start;
      survivors.push({
        file,
        line,
        column,
        status: mutant.status,
        mutator: mutant.mutatorName,
        replacement: mutant.replacement ?? '',
      });
    }
  }
  survivors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return {
    name,
    src,
    metrics: result.metrics,
    testTimeouts: byTestTimeout(files),
    byFolder,
    missing,
    stale,
    survivors,
  };
}

const scores = await Promise.all(wanted.map(packageScore));
if (asJson) {
  console.log(JSON.stringify(scores, null, 2));
} else {
  for (const { name, src, metrics, testTimeouts, byFolder, missing, stale, survivors } of scores) {
    const m = metrics;
    console.log(
      `${name} (${src}): ${percent(m.mutationScore)} killed — ${m.killed} killed ` +
        `(${testTimeouts} by a test timeout), ${m.timeout} timeout, ` +
        `${m.survived} survived, ${m.noCoverage} no coverage, ${m.ignored} ignored (static), ` +
        `${m.runtimeErrors + m.compileErrors} errors; ${m.totalMutants} mutants`,
    );
    for (const { folder, metrics: f, testTimeouts: t } of byFolder) {
      console.log(
        `  ${folder.padEnd(14)} ${percent(f.mutationScore).padStart(8)}  ` +
          `${f.killed}+${f.timeout} / ${f.survived} / ${f.noCoverage} (ignored ${f.ignored}` +
          `${t > 0 ? `; ${t} of the kills by a test timeout` : ''})`,
      );
    }
    if (missing.length > 0) {
      const left = missing.reduce((sum, { mutants }) => sum + mutants, 0);
      console.log(
        `  NOT MEASURED: ${left} mutants in ${missing.map(({ folder, mutants }) => `${folder} (${mutants})`).join(', ')}; ` +
          `the score above covers ${m.totalMutants} of ${m.totalMutants + left} mutants`,
      );
    }
    if (stale.length > 0) {
      console.log(`  changed since measured (run again): ${stale.join(', ')}`);
    }
    if (listSurvivors) {
      let last = '';
      for (const s of survivors) {
        if (s.file !== last) console.log(`\n  ${s.file}`);
        last = s.file;
        const text = s.replacement.replace(/\s+/g, ' ').slice(0, 80);
        console.log(`    ${s.line}:${s.column} ${s.status} ${s.mutator}: ${text}`);
      }
    }
    console.log('');
  }
}
