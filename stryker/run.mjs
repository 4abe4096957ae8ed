// `npm run mutate [-- core|bridge] [-- --mutate <file or glob>] [other Stryker options]`
//
// Runs StrykerJS once per package (core, then the bridge), each with its own config
// (stryker/<package>.config.mjs). `--mutate` paths pick the packages they belong to, so
// `npm run mutate -- --mutate packages/core/src/metrics/histogram.ts` mutates that file only.
// Every other argument goes to `stryker run` as it is (`--concurrency 4`, `--force`, ...).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PACKAGES = { core: 'packages/core/', bridge: 'packages/otel-bridge/' };
const args = process.argv.slice(2);
const named = args.filter((arg) => Object.hasOwn(PACKAGES, arg));
const passed = args.filter((arg) => !Object.hasOwn(PACKAGES, arg));

const at = passed.findIndex((arg) => arg === '--mutate' || arg === '-m');
const mutate = at >= 0 ? (passed[at + 1] ?? '') : undefined;
const wanted =
  named.length > 0
    ? named
    : mutate !== undefined
      ? Object.keys(PACKAGES).filter((name) =>
          mutate.split(',').some((path) => path.replace(/^!/, '').startsWith(PACKAGES[name])),
        )
      : Object.keys(PACKAGES);
if (wanted.length === 0) {
  console.error(`--mutate ${mutate}: no path under ${Object.values(PACKAGES).join(' or ')}.`);
  process.exit(2);
}

const stryker = fileURLToPath(
  new URL('../node_modules/@stryker-mutator/core/bin/stryker.js', import.meta.url),
);
let status = 0;
for (const name of wanted) {
  console.log(`\n=== mutation testing: ${name} (stryker/${name}.config.mjs) ===\n`);
  const run = spawnSync(
    process.execPath,
    [stryker, 'run', `stryker/${name}.config.mjs`, ...passed],
    { stdio: 'inherit' },
  );
  if (run.status !== 0) status = run.status ?? 1;
}
process.exit(status);
