import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Worker threads run plain JavaScript, so worker scripts import the built packages (dist).
 * `npm test` builds first; this keeps `npx vitest run test/workers` honest after an edit.
 * `tsc -b` is incremental: a no-op when dist is up to date.
 */
export function buildPackages(...projects: string[]): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', ...projects], { cwd: root, stdio: 'inherit' });
}
