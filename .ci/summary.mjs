#!/usr/bin/env node
// CI's summary: reads vitest's JSON reports (one per test run) and prints, in this order,
//   one line per run ("node20: 1140 passed, 1 failed"),
//   every failed test: run, file, full name and the first lines of its failure message, and every
//   problem of <reports dir>/checks.json (written by .ci/lines.mjs),
//   the final line "N passed, N failed" (summed over the runs), always last.
// The failed tests come just before the final line so that the tail of CI's output names them.
// Usage: node .ci/summary.mjs <reports dir> <label>...   (reads <reports dir>/<label>.json)
// Exits 1 when any test failed, a file failed to load, or a run left no report.
import fs from 'node:fs';
import path from 'node:path';

const [dir, ...labels] = process.argv.slice(2);
if (!dir || labels.length === 0) {
  console.error('usage: node .ci/summary.mjs <reports dir> <label>...');
  process.exit(2);
}

const root = process.cwd();
const MESSAGE_LINES = 6;
const relative = (file) => (file.startsWith(root + path.sep) ? path.relative(root, file) : file);
// The first lines of a failure message, without the stack (its frames start with "at ").
const firstLines = (message) =>
  String(message ?? '')
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^\s+at /.test(line))
    .slice(0, MESSAGE_LINES)
    .map((line) => `      ${line.length > 300 ? `${line.slice(0, 300)}…` : line}`);

let passed = 0;
let failed = 0;
let skipped = 0;
const perRun = [];
const failures = [];

for (const label of labels) {
  const file = path.join(dir, `${label}.json`);
  // A run that wrote no report (crashed before the end) counts as a failure, never as zero tests.
  if (!fs.existsSync(file) || fs.statSync(file).size === 0) {
    failed += 1;
    perRun.push(`${label}: no report (the run crashed before the end: see its output above)`);
    failures.push([`[${label}] no JSON report: the vitest run ended before writing it`]);
    continue;
  }
  let report;
  try {
    report = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    failed += 1;
    perRun.push(`${label}: unreadable report (${error.message})`);
    failures.push([`[${label}] unreadable JSON report ${file}: ${error.message}`]);
    continue;
  }
  // What the JSON report leaves out (load errors, beforeAll/afterAll errors, unhandled errors),
  // written beside it by .ci/errors-reporter.mjs; absent when that reporter did not run.
  const errorsFile = path.join(dir, `${label}.errors.json`);
  const extra = fs.existsSync(errorsFile)
    ? JSON.parse(fs.readFileSync(errorsFile, 'utf8'))
    : { modules: [], unhandled: [] };
  const fileErrors = new Map(extra.modules.map((m) => [m.file, m.errors]));
  let runFailed = report.numFailedTests;
  for (const result of report.testResults ?? []) {
    const name = relative(result.name);
    const failedTests = (result.assertionResults ?? []).filter((t) => t.status === 'failed');
    for (const test of failedTests) {
      failures.push([
        `[${label}] FAIL ${name} > ${test.fullName}`,
        ...firstLines((test.failureMessages ?? [])[0]),
      ]);
    }
    // A file that fails to load, or a beforeAll/afterAll that throws, fails the file outside
    // every test (its tests are skipped or passed): name the file and the error.
    const errors = fileErrors.get(result.name) ?? [];
    for (const error of errors) {
      failures.push([
        `[${label}] FAIL ${name} > ${error.where === '(file)' ? '(loading the file, or a hook of the file)' : `${error.where} (a beforeAll/afterAll)`}`,
        ...firstLines(error.message),
      ]);
    }
    if (result.status === 'failed' && failedTests.length === 0) {
      if (errors.length === 0) {
        failures.push([
          `[${label}] FAIL ${name} (the file, not one test: it failed to load or a hook failed)`,
          ...firstLines(result.message || '(no message in the report: see the output above)'),
        ]);
      }
      runFailed += 1;
    }
  }
  for (const error of extra.unhandled) {
    failures.push([`[${label}] unhandled error (outside any test)`, ...firstLines(error)]);
  }
  // An error vitest saw outside every file (an unhandled rejection, a worker crash) fails the run
  // without a failed test or file in the report: count it so it cannot pass unseen.
  if (report.success === false && runFailed === 0) {
    runFailed = 1;
    if (extra.unhandled.length === 0) {
      failures.push([
        `[${label}] the run failed outside any test (unhandled error or crashed worker): see "Unhandled Errors" above`,
      ]);
    }
  }
  if (report.numTotalTests === 0 && runFailed === 0) {
    runFailed = 1;
    failures.push([`[${label}] the run found no tests`]);
  }
  const runSkipped = (report.numPendingTests || 0) + (report.numTodoTests || 0);
  perRun.push(
    `${label}: ${report.numPassedTests} passed, ${runFailed} failed` +
      (runSkipped ? `, ${runSkipped} skipped` : ''),
  );
  passed += report.numPassedTests;
  failed += runFailed;
  skipped += runSkipped;
}

// Steps of CI that failed (lint, typecheck, package or API checks, a vitest run that exited
// non-zero), one per line, written by .ci/run: each is listed and counts as one failure when no
// failed test of that run explains it already.
const stepsFile = path.join(dir, 'failed-steps');
if (fs.existsSync(stepsFile)) {
  for (const step of fs.readFileSync(stepsFile, 'utf8').split('\n').filter(Boolean)) {
    if (/^tests: /.test(step)) continue; // a test run: its failures are listed above
    failed += 1;
    failures.push([`[step] ${step} failed: see its output above`]);
  }
}

// Checks of the run as a whole (.ci/lines.mjs: every test file ran on some line): one failure each.
const checksFile = path.join(dir, 'checks.json');
if (fs.existsSync(checksFile)) {
  for (const { check, message } of JSON.parse(fs.readFileSync(checksFile, 'utf8'))) {
    failed += 1;
    failures.push([`[${check}] ${message}`]);
  }
}

const out = [];
out.push('', '==> summary', ...perRun);
if (skipped) out.push(`${skipped} skipped (all runs)`);
if (failures.length > 0) {
  out.push('', `failed (${failures.length}):`);
  for (const lines of failures) out.push(...lines);
  out.push('');
}
out.push(`${passed} passed, ${failed} failed`);
process.stdout.write(`${out.join('\n')}\n`);
process.exitCode = failed > 0 ? 1 : 0;
