// How `npm run mutate` splits a package into runs: one Stryker run per folder of src, and one for
// the files directly in src ('.'). Shared by run.mjs (runs them) and score.mjs (adds them up).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

/** Each package's short name (stryker/<name>.config.mjs) and its folder under packages/. */
export const PACKAGES = { core: 'core', bridge: 'otel-bridge' };

/**
 * The folders of `packages/<dir>/src` that have code to mutate, in run order ('.' first, then by
 * name): a folder whose files are all tests or `typeOnly` (stryker/<name>.config.mjs) is left out.
 */
export function folders(dir, typeOnly) {
  const src = join(root, 'packages', dir, 'src');
  const mutable = (folder) =>
    readdirSync(join(src, folder), { recursive: true })
      .map((file) => (folder === '.' ? file : `${folder}/${file}`))
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .some((file) => !typeOnly.includes(file) && (folder !== '.' || !file.includes('/')));
  const entries = readdirSync(src, { withFileTypes: true });
  return [
    '.',
    ...entries
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort(),
  ].filter(mutable);
}

/** A package's files with no runtime code, from its config. */
export async function typeOnlyOf(name) {
  return (await import(`./${name}.config.mjs`)).typeOnly;
}

/** A folder's name in reports/mutation/<name>/ and .stryker-tmp/ ('.' is `_root`). */
export const reportName = (folder) => (folder === '.' ? '_root' : folder);
