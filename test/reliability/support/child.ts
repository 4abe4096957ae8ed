import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (two levels above `test/reliability/`). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Absolute path of a fixture script under `test/reliability/fixtures/`. */
export function fixture(name: string): string {
  return join(repoRoot, 'test/reliability/fixtures', name);
}

/** What a finished child process left behind. */
export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from spawn to exit. */
  elapsedMs: number;
  /** True when the harness had to kill the child because it outlived `timeoutMs`. */
  timedOut: boolean;
}

/** Options of {@link runNode}. */
export interface RunNodeOptions {
  nodeArgs?: string[];
  env?: Record<string, string>;
  /** Hard bound: the child is SIGKILLed after this long (default 30 s). */
  timeoutMs?: number;
  /** Called once with the child's stdout lines as they arrive (e.g. to send a signal on "ready"). */
  onLine?: (line: string, child: ReturnType<typeof spawn>) => void;
}

/**
 * Runs `node [nodeArgs] script [args]` and resolves when it exits. Fixtures import the packages'
 * built `dist/` (plain node cannot load TypeScript), so call {@link ensureBuilt} first.
 */
export function runNode(
  script: string,
  args: string[] = [],
  options: RunNodeOptions = {},
): Promise<ChildResult> {
  const started = performance.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let partial = '';
  let timedOut = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (options.onLine === undefined) return;
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) options.onLine(line, child);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 30_000);
  return new Promise((resolvePromise, reject) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({
        code,
        signal,
        stdout,
        stderr,
        elapsedMs: performance.now() - started,
        timedOut,
      });
    });
  });
}

/** The last line of `stdout` that parses as a JSON object tagged `{ result: ... }`. */
export function resultOf<T>(run: ChildResult): T {
  const lines = run.stdout.trim().split('\n').reverse();
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    const parsed = JSON.parse(line) as { result?: T };
    if (parsed.result !== undefined) return parsed.result;
  }
  throw new Error(
    `child printed no result line (exit ${run.code}, signal ${run.signal}):\n${run.stdout}\n${run.stderr}`,
  );
}

/**
 * Builds the packages' `dist/` (incremental `tsc -b`, a no-op when up to date) so fixtures run
 * against the current sources. A lock directory serialises concurrent test files.
 */
export function ensureBuilt(project = 'packages/core'): void {
  const lock = join(
    tmpdir(),
    `mvx-reliability-build-${Buffer.from(repoRoot).toString('hex').slice(-32)}`,
  );
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`build lock ${lock} held for 2 minutes`);
      // A lock older than 2 minutes belongs to a killed run.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true });
      } catch {
        /* gone meanwhile */
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
    const build = spawnSync(process.execPath, [tsc, '-b', project], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    if (build.status !== 0) {
      throw new Error(`tsc -b ${project} failed:\n${build.stdout}\n${build.stderr}`);
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
