#!/usr/bin/env node
// CI's coverage of test files by Node line: every test file of the repository runs on at least one
// line of CI, whatever subset each line picks. It reads what actually ran (vitest's JSON reports
// of the runs), not what the runs were asked to do, and compares it with
//   - the files vitest's two configurations select (`vitest list --filesOnly`: vitest.config.ts,
//     the README's `npm test`, and vitest.consumers.config.ts), and
//   - every *.test.ts file in the repository (a file outside both configurations never runs).
// Prints one row per file with the lines that ran it, then writes <reports dir>/checks.json
// (read by .ci/summary.mjs: each problem counts as one failure) and exits 1 on any problem.
// Usage: node .ci/lines.mjs <reports dir> <label>...   (reads <reports dir>/<label>.json)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const [dir, ...labels] = process.argv.slice(2);
if (!dir || labels.length === 0) {
  console.error('usage: node .ci/lines.mjs <reports dir> <label>...');
  process.exit(2);
}
const root = process.cwd();
const rel = (file) => path.relative(root, path.resolve(root, file));

/** The files a vitest configuration selects, without running them. */
function listed(config) {
  const out = path.join(dir, `list-${path.basename(config, '.ts')}.json`);
  const run = spawnSync(
    process.execPath,
    ['node_modules/vitest/vitest.mjs', 'list', '--filesOnly', `--json=${out}`, '--config', config],
    { cwd: root, encoding: 'utf8', env: { ...process.env, CI: 'true' } },
  );
  if (run.status !== 0 || !fs.existsSync(out)) {
    throw new Error(`vitest list --config ${config} failed:\n${run.stdout}\n${run.stderr}`);
  }
  return JSON.parse(fs.readFileSync(out, 'utf8')).map((entry) => rel(entry.file));
}

/** Every *.test.ts (and .test.mjs/.js) file in the repository, outside node_modules and dist. */
function everyTestFile() {
  const found = [];
  const walk = (at) => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) {
        continue;
      }
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.test\.(ts|mts|js|mjs)$/.test(entry.name)) found.push(rel(full));
    }
  };
  walk(root);
  return found;
}

const problems = [];
const configs = ['vitest.config.ts', 'vitest.consumers.config.ts'];
const selected = new Set(configs.flatMap(listed));
for (const file of everyTestFile()) {
  if (!selected.has(file)) {
    problems.push(`${file}: no vitest configuration selects it, so no line of CI runs it`);
  }
}

// file -> label -> { ran, skipped }: `ran` counts tests that passed or failed there.
const byFile = new Map();
for (const label of labels) {
  const report = path.join(dir, `${label}.json`);
  if (!fs.existsSync(report) || fs.statSync(report).size === 0) continue; // summary.mjs says so
  for (const result of JSON.parse(fs.readFileSync(report, 'utf8')).testResults ?? []) {
    const file = rel(result.name);
    const lines = byFile.get(file) ?? new Map();
    const tests = result.assertionResults ?? [];
    lines.set(label, {
      ran: tests.filter((t) => t.status === 'passed' || t.status === 'failed').length,
      // a file that failed to load ran nothing, but it was on that line: summary.mjs counts it
      failedToLoad: result.status === 'failed' && tests.length === 0,
    });
    byFile.set(file, lines);
  }
}

const width = Math.max(...labels.map((l) => l.length));
const rows = [...selected].sort();
const header = `${labels.map((l) => l.padEnd(width)).join(' ')}  file`;
const table = [header];
for (const file of rows) {
  const lines = byFile.get(file) ?? new Map();
  const cells = labels.map((label) => {
    const at = lines.get(label);
    if (at === undefined) return '·'.padEnd(width);
    if (at.failedToLoad) return 'load-fail'.padEnd(width);
    return String(at.ran).padEnd(width);
  });
  table.push(`${cells.join(' ')}  ${file}`);
  const ranSomewhere = [...lines.values()].some((at) => at.ran > 0 || at.failedToLoad);
  if (!ranSomewhere) {
    problems.push(
      lines.size === 0
        ? `${file}: selected by vitest but in no run's report (no line of CI ran it)`
        : `${file}: in the reports but every test of it was skipped on every line`,
    );
  }
}

console.log(
  `\n==> test files by CI line (tests run per file and line; · = not on that line; .ci/lines.mjs)`,
);
console.log(table.join('\n'));
console.log(
  problems.length === 0
    ? `${rows.length} test files, every one run on at least one line`
    : `${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join('\n')}`,
);
fs.writeFileSync(
  path.join(dir, 'checks.json'),
  JSON.stringify(problems.map((message) => ({ check: 'every test file runs on a line', message }))),
);
process.exitCode = problems.length === 0 ? 0 : 1;
