// The release before issues 9–14, built from its commit on first use and cached, so a bench can load
// it beside this checkout's build and alternate the two in one process (one window, one machine).
//
// `7fcde66` is the last commit of the first release (2026-11-22, "bench/bridge: one
// saveAttemptsRecorder() …"); the work on issues 9–14 starts right after it. Its packages/core and
// packages/otel-bridge are extracted with `git archive` into `bench/.previous/<commit>/` (gitignored)
// and compiled with this checkout's TypeScript. Their OpenTelemetry dependencies resolve, by Node's
// walk up the directories, to this checkout's node_modules: the release pinned the same versions
// (sdk-metrics 2.12.0, exporter-prometheus 0.223.0), so only our own code differs between the two.
// `@mvx-metrics/core` inside the old bridge resolves to the old core through the link in
// `bench/.previous/<commit>/node_modules`.
//
//   node bench/previous.mjs          builds (if not cached) and prints the directory
//   MVX_BENCH_PREVIOUS=<commit>      another commit with the same layout and entry points

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// biome-ignore lint/suspicious/noUndeclaredEnvVars: read by the benches only, not by a turbo task
export const PREVIOUS_COMMIT = process.env.MVX_BENCH_PREVIOUS ?? '7fcde66';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

/** Builds the previous release if it is not cached; returns its directory, or throws saying why. */
export function ensurePreviousBuild(commit = PREVIOUS_COMMIT) {
  const dir = join(here, '.previous', commit);
  if (existsSync(join(dir, 'BUILT'))) return dir;
  const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  try {
    git('cat-file', '-e', `${commit}^{commit}`);
  } catch {
    throw new Error(
      `commit ${commit} is not in this clone (a shallow clone?): git fetch --unshallow, then run again`,
    );
  }
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    const archive = execFileSync(
      'git',
      ['archive', commit, 'tsconfig.base.json', 'packages/core', 'packages/otel-bridge'],
      { cwd: root, maxBuffer: 256 * 2 ** 20 },
    );
    execFileSync('tar', ['-x', '-C', tmp], { input: archive });
    mkdirSync(join(tmp, 'node_modules', '@mvx-metrics'), { recursive: true });
    symlinkSync('../../packages/core', join(tmp, 'node_modules', '@mvx-metrics', 'core'));
    symlinkSync(
      '../../packages/otel-bridge',
      join(tmp, 'node_modules', '@mvx-metrics', 'otel-bridge'),
    );
    const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
    const built = spawnSync(
      process.execPath,
      [tsc, '-b', 'packages/core', 'packages/otel-bridge'],
      {
        cwd: tmp,
        encoding: 'utf8',
      },
    );
    // The release's pipeline was typed against sdk-trace-base 2.x, which this checkout no longer
    // installs (only 1.x, for a test dependency): its two type errors in pipeline/ are expected and
    // that code is never loaded by a bench (see loadPrevious). Any other error fails the build.
    const errors = `${built.stdout}${built.stderr}`
      .split('\n')
      .filter((l) => l.includes('error TS'));
    const unexpected = errors.filter((l) => !l.startsWith('packages/otel-bridge/src/pipeline/'));
    const emitted = ['packages/core/dist/index.js', 'packages/otel-bridge/dist/index.js'].every(
      (f) => existsSync(join(tmp, f)),
    );
    if (built.status === null || unexpected.length > 0 || !emitted) {
      throw new Error(`building ${commit} failed:\n${built.stdout}${built.stderr}`);
    }
    writeFileSync(join(tmp, 'BUILT'), `${git('rev-parse', commit)}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  return dir;
}

/** Loads the previous release's core and bridge (building them first if needed). */
export async function loadPrevious(commit = PREVIOUS_COMMIT) {
  const dir = ensurePreviousBuild(commit);
  const url = (path) => pathToFileURL(join(dir, path)).href;
  return {
    commit,
    core: await import(url('packages/core/dist/index.js')),
    // The attach and producer modules, not the package entry: the entry also loads the release's
    // pipeline, built against an OpenTelemetry trace SDK this checkout does not install.
    bridge: {
      ...(await import(url('packages/otel-bridge/dist/attach/attach-otel-bridge.js'))),
      ...(await import(url('packages/otel-bridge/dist/producer/mvx-metric-producer.js'))),
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(ensurePreviousBuild());
}
