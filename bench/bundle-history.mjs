// Where a bundle's bytes came from: the bundle sizes of bench/bundle-sizes.mjs at every commit
// that changed core's or the bridge's src between two commits, against its own parent. Sizes are
// deterministic, so each commit's delta is exact and the deltas of the commits off merges add up
// to the whole change (a merge only joins them). Each commit is extracted with `git archive` into
// bench/.previous/bundle/<commit> (gitignored, kept as a cache) and compiled with this checkout's
// TypeScript and dependencies; type errors against today's dependencies are ignored, since only
// the emitted JavaScript is bundled.
//
//   node bench/bundle-history.mjs [from] [to]     default: 31ebda8 (before issue 19's round) HEAD
//
// Prints one line per commit whose sizes changed (bytes, minified), then the totals.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleSize, ENTRIES, WHOLE_CORE } from './bundle-sizes.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [from = '31ebda8', to = 'HEAD'] = process.argv.slice(2);
const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');

// What each column bundles: the entries after `MetricEvent alone`, then all of core.
const columns = [...Object.entries(ENTRIES).slice(1), ['all of core', WHOLE_CORE]];

function built(commit) {
  const dir = join(root, 'bench', '.previous', 'bundle', commit);
  if (existsSync(join(dir, 'BUILT'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'node_modules', '@mvx-metrics'), { recursive: true });
  const archive = execFileSync(
    'git',
    ['archive', commit, 'tsconfig.base.json', 'packages/core', 'packages/otel-bridge'],
    { cwd: root, maxBuffer: 512 * 2 ** 20 },
  );
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  for (const name of ['core', 'otel-bridge']) {
    symlinkSync(`../../packages/${name}`, join(dir, 'node_modules', '@mvx-metrics', name));
  }
  spawnSync(process.execPath, [tsc, '-b', 'packages/core', 'packages/otel-bridge'], { cwd: dir });
  if (!existsSync(join(dir, 'packages', 'otel-bridge', 'dist', 'index.js'))) {
    throw new Error(`${commit}: tsc emitted no packages/otel-bridge/dist/index.js`);
  }
  writeFileSync(join(dir, 'BUILT'), `${commit}\n`);
  return dir;
}

const cache = new Map();
async function sizes(commit) {
  if (!cache.has(commit)) {
    const dir = built(commit);
    const bytes = [];
    for (const [, source] of columns) bytes.push((await bundleSize(source, dir)).min);
    cache.set(commit, bytes);
  }
  return cache.get(commit);
}

const commits = git(
  'log',
  '--reverse',
  '--no-merges',
  '--format=%h %p',
  `${from}..${to}`,
  '--',
  'packages/core/src',
  'packages/otel-bridge/src',
)
  .split('\n')
  .filter(Boolean)
  .map((line) => line.split(' '));
console.log(
  `bytes (esbuild --minify) per commit, ${from}..${to}: ${columns.map(([n]) => n).join(' | ')}`,
);
const total = columns.map(() => 0);
for (const [commit, parent] of commits) {
  const [after, before] = [await sizes(commit), await sizes(parent)];
  const delta = after.map((size, i) => size - before[i]);
  if (delta.every((d) => d === 0)) continue;
  delta.forEach((d, i) => {
    total[i] += d;
  });
  const signed = delta.map((d) => (d > 0 ? `+${d}` : `${d}`).padStart(6)).join(' ');
  console.log(`${commit} ${signed}  ${git('log', '-1', '--format=%s', commit).slice(0, 100)}`);
}
const [start, end] = [
  await sizes(git('rev-parse', '--short', from)),
  await sizes(git('rev-parse', '--short', to)),
];
console.log(`sum of the commits' deltas: ${total.join(' ')}`);
console.log(`${from} -> ${to}: ${start.map((s, i) => `${s} -> ${end[i]}`).join(', ')}`);
