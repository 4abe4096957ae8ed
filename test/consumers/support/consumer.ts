import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { NodeBinary } from './nodes.js';

const run = promisify(execFile);

/** What a command printed and how it ended. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A throwaway project outside the repository, installed from tarballs and the registry. */
export interface Consumer {
  readonly dir: string;
  readonly node: NodeBinary;
  /** Combined output of `npm install`. */
  readonly installOutput: string;
  /** Runs `command` (e.g. `npm`, `npx`, or `node` = this consumer's Node) in the project. */
  run(command: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<RunResult>;
  /** Writes a file of the project, creating its folder. */
  write(path: string, text: string): void;
  remove(): void;
}

export interface ConsumerOptions {
  readonly node: NodeBinary;
  /** `package.json` fields; `dependencies` values may be tarball paths (`file:`) or registry ranges. */
  readonly packageJson: Record<string, unknown>;
}

/** The consumer's environment: its Node first on PATH, nothing inherited from the test runner or npm. */
function cleanEnv(node: NodeBinary, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(node.env)) {
    if (/^(VITEST|npm_|NODE_OPTIONS$|TEST$)/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

async function exec(
  node: NodeBinary,
  cwd: string,
  command: string,
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
): Promise<RunResult> {
  const file = command === 'node' ? node.node : command;
  try {
    const { stdout, stderr } = await run(file, [...args], {
      cwd,
      env: cleanEnv(node, env),
      encoding: 'utf8',
      maxBuffer: 32 * 1024 * 1024,
      timeout: 240_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : 1,
      stdout: e.stdout ?? '',
      stderr: `${e.stderr ?? ''}${typeof e.code === 'string' ? `\n[${e.code}]` : ''}`,
    };
  }
}

/**
 * Creates the project and runs `npm install` in it with the consumer's Node, as a user would.
 * npm's own cache (~/.npm) keeps repeated runs off the network; `--prefer-offline` uses it first.
 */
export async function installConsumer(name: string, options: ConsumerOptions): Promise<Consumer> {
  const dir = mkdtempSync(join(tmpdir(), `mvx-consumer-${name}-`));
  const installOutput = await installIn(dir, name, options);
  return consumerIn(dir, options.node, installOutput, () =>
    rmSync(dir, { recursive: true, force: true }),
  );
}

/**
 * Creates the project with its package.json and nothing installed: for a test that runs its own
 * `npm install` commands (an install with no dependencies would only write an empty lockfile).
 */
export function createConsumer(name: string, options: ConsumerOptions): Consumer {
  const dir = mkdtempSync(join(tmpdir(), `mvx-consumer-${name}-`));
  writePackageJson(dir, name, options);
  return consumerIn(dir, options.node, '', () => rmSync(dir, { recursive: true, force: true }));
}

function writePackageJson(dir: string, name: string, options: ConsumerOptions): void {
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: `consumer-${name}`, private: true, ...options.packageJson }, null, 2)}\n`,
  );
}

/** Writes package.json and runs `npm install` in `dir`; removes `dir` and throws if it fails. */
async function installIn(dir: string, name: string, options: ConsumerOptions): Promise<string> {
  writePackageJson(dir, name, options);
  const install = await exec(options.node, dir, 'npm', [
    'install',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    '--loglevel=warn',
  ]);
  const installOutput = `${install.stdout}${install.stderr}`;
  if (install.code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`npm install failed in consumer ${name}:\n${installOutput}`);
  }
  return installOutput;
}

function consumerIn(
  dir: string,
  node: NodeBinary,
  installOutput: string,
  remove: () => void,
): Consumer {
  return {
    dir,
    node,
    installOutput,
    run: (command, args, env) => exec(node, dir, command, args, env),
    write: (path, text) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    },
    remove,
  };
}
