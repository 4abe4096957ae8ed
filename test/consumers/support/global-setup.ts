import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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

/** Packs core and the bridge once per run (`npm pack` of the built packages, never workspace links). */
export default function setup(project: TestProject): () => void {
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
