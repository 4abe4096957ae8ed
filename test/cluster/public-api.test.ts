// The cluster-mode names are importable from the package entry points users will use.

import { spawnSync } from 'node:child_process';
import * as core from '@mvx-metrics/core';
import * as clusterEntry from '@mvx-metrics/core/cluster';
import { describe, expect, it } from 'vitest';
import { ensureBuilt, repoRoot } from '../reliability/support/child.js';

describe('public API for cluster mode', () => {
  it('exports the primary side from the main entry', () => {
    for (const name of [
      'createClusterPrimary',
      'ClusterPrimary',
      'connectToPrimary',
      'ClusterRecorder',
    ]) {
      expect(typeof (core as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(typeof core.MetricsRuntime.prototype.clusterPrimary).toBe('function');
  });

  it('exports the worker side, and only it, from the ./cluster subpath', () => {
    expect(Object.keys(clusterEntry).sort()).toEqual(['ClusterRecorder', 'connectToPrimary']);
  });

  it('refuses connectToPrimary in a process started without an IPC channel', () => {
    ensureBuilt('packages/core');
    const run = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import { connectToPrimary } from '@mvx-metrics/core/cluster'; try { connectToPrimary('r'); } catch (e) { console.log(e.name, e.code); }",
      ],
      { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 },
    );
    expect(run.stdout.trim()).toBe('MetricsWiringError no-ipc-channel');
  }, 60_000);
});
