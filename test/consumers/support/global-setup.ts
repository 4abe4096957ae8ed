import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const root = fileURLToPath(new URL('../../..', import.meta.url));

declare module 'vitest' {
  export interface ProvidedContext {
    /** Absolute paths of the packed tarballs, as a registry would serve them. */
    tarballs: { core: string; bridge: string };
  }
}

interface PackResult {
  name: string;
  filename: string;
}

/**
 * Packs core and the bridge once per run (`npm pack` of the built packages, never workspace links).
 * With MVX_CONSUMER_TARBALLS=<dir>, uses the tarballs already packed there instead: CI packs once,
 * before the suites that read dist/ start, because packing (prepack) rebuilds dist/ from scratch.
 */
export default function setup(project: TestProject): () => void {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: set by .ci/run only, not read by a turbo task
  const prepacked = process.env.MVX_CONSUMER_TARBALLS;
  if (prepacked !== undefined && prepacked !== '') {
    const find = (prefix: string): string => {
      const file = readdirSync(prepacked).find((f) => f.startsWith(prefix) && f.endsWith('.tgz'));
      if (file === undefined) {
        throw new Error(`MVX_CONSUMER_TARBALLS=${prepacked} has no ${prefix}*.tgz`);
      }
      return join(prepacked, file);
    };
    project.provide('tarballs', {
      core: find('mvx-metrics-core-'),
      bridge: find('mvx-metrics-otel-bridge-'),
    });
    return () => {};
  }
  const dir = mkdtempSync(join(tmpdir(), 'mvx-tarballs-'));
  const json = execFileSync(
    'npm',
    [
      'pack',
      '--json',
      '--pack-destination',
      dir,
      '-w',
      '@mvx-metrics/core',
      '-w',
      '@mvx-metrics/otel-bridge',
    ],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const packed = JSON.parse(json) as PackResult[];
  const path = (name: string): string => {
    const entry = packed.find((p) => p.name === name);
    if (entry === undefined) throw new Error(`npm pack did not produce ${name}`);
    return join(dir, entry.filename);
  };
  project.provide('tarballs', {
    core: path('@mvx-metrics/core'),
    bridge: path('@mvx-metrics/otel-bridge'),
  });
  return () => rmSync(dir, { recursive: true, force: true });
}
