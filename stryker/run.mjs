// `npm run mutate [-- core|bridge] [-- --folders <f>,<f>] [other Stryker options]`
// `npm run mutate -- --mutate <file or glob> [other Stryker options]`
//
// Without --mutate: runs StrykerJS on each package (core, then the bridge; or the ones named), one
// folder of src at a time (`--folders cluster,recorder` picks folders, in that order; `.` is the
// files directly in src). Each folder run mutates that folder only, with that package's config
// (stryker/<package>.config.mjs), and keeps its own incremental file and JSON/HTML report under
// reports/mutation/<package>/, so a folder's results survive the other folders' runs and an
// interrupted run keeps every folder it finished. stryker/score.mjs then adds the folders up into
// each package's score (printed at the end).
//
// With --mutate: one ad-hoc Stryker run per package the paths belong to, so
// `npm run mutate -- --mutate packages/core/src/metrics/histogram.ts` mutates that file only; its
// report is reports/mutation/<package>.json, not counted in the score.
//
// Every other argument goes to `stryker run` as it is (`--concurrency 1`, `--force`, ...).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { folders, PACKAGES, typeOnlyOf } from './folders.mjs';

const args = process.argv.slice(2);
const named = args.filter((arg) => Object.hasOwn(PACKAGES, arg));
let passed = args.filter((arg) => !Object.hasOwn(PACKAGES, arg));

const option = (names) => {
  const at = passed.findIndex((arg) => names.includes(arg));
  if (at < 0) return undefined;
  const value = passed[at + 1] ?? '';
  passed = passed.filter((_, index) => index !== at && index !== at + 1);
  return value;
};
const chosenFolders = option(['--folders']);
const mutate = passed.find((arg) => arg === '--mutate' || arg === '-m')
  ? passed[passed.findIndex((arg) => arg === '--mutate' || arg === '-m') + 1]
  : undefined;
if (mutate !== undefined && chosenFolders !== undefined) {
  console.error('--mutate and --folders: pick one.');
  process.exit(2);
}
const wanted =
  named.length > 0
    ? named
    : mutate !== undefined
      ? Object.keys(PACKAGES).filter((name) =>
          mutate
            .split(',')
            .some((path) => path.replace(/^!/, '').startsWith(`packages/${PACKAGES[name]}/`)),
        )
      : Object.keys(PACKAGES);
if (wanted.length === 0) {
  console.error(
    `--mutate ${mutate}: no path under ${Object.values(PACKAGES)
      .map((dir) => `packages/${dir}/`)
      .join(' or ')}.`,
  );
  process.exit(2);
}

const stryker = fileURLToPath(
  new URL('../node_modules/@stryker-mutator/core/bin/stryker.js', import.meta.url),
);
let status = 0;
const run = (name, folder) => {
  const what = folder === undefined ? name : `${name} ${folder}`;
  console.log(`\n=== mutation testing: ${what} (stryker/${name}.config.mjs) ===\n`);
  const env = { ...process.env };
  if (folder === undefined) delete env.MVX_MUTATE_CHUNK;
  else env.MVX_MUTATE_CHUNK = folder;
  const result = spawnSync(
    process.execPath,
    [stryker, 'run', `stryker/${name}.config.mjs`, ...passed],
    { stdio: 'inherit', env },
  );
  if (result.status !== 0) status = result.status ?? 1;
};
for (const name of wanted) {
  if (mutate !== undefined) {
    run(name, undefined);
    continue;
  }
  const all = folders(PACKAGES[name], await typeOnlyOf(name));
  const picked = chosenFolders === undefined ? all : chosenFolders.split(',');
  for (const folder of picked) {
    if (!all.includes(folder)) {
      console.error(`${name}: no folder ${folder} in packages/${PACKAGES[name]}/src.`);
      status = 2;
      continue;
    }
    run(name, folder);
  }
}
if (mutate === undefined) {
  spawnSync(process.execPath, [fileURLToPath(new URL('score.mjs', import.meta.url)), ...wanted], {
    stdio: 'inherit',
  });
}
process.exit(status);
