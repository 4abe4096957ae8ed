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

/**
 * `execArgv` for workers started from a test. Vitest may start its test process with
 * `--conditions @mvx-metrics/source` (workspace packages resolve to src/*.ts there), and workers inherit the
 * parent's execArgv: Node 20 cannot load .ts, so workers drop that condition and get dist.
 */
export function workerExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if ((arg === '--conditions' || arg === '-C') && argv[i + 1] === '@mvx-metrics/source') {
      i++;
    } else if (arg !== '--conditions=@mvx-metrics/source' && arg !== '-C=@mvx-metrics/source') {
      out.push(arg);
    }
  }
  return out;
}
