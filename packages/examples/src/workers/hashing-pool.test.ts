import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import {
  findPoint,
  type HistogramPoint,
  MetricsRuntime,
  type NumberPoint,
} from '@mvx-metrics/core';
import { createTestRecorder, pointValue } from '@mvx-metrics/core/testing';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type Document, DocumentHasher } from './document-hasher.js';
import { hashingMetrics } from './hashing-metrics.js';
import { createHashingPool, type HashingPool } from './hashing-pool.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

// Vitest may run tests with `--conditions @mvx-metrics/source` (workspace packages resolve to src/*.ts), which
// workers inherit; Node 20 cannot load .ts, so the pool's workers drop it and load dist.
function workerExecArgv(): string[] {
  const argv = process.execArgv;
  return argv.filter(
    (arg, i) =>
      !(
        arg === '--conditions=@mvx-metrics/source' ||
        (arg === '--conditions' && argv[i + 1] === '@mvx-metrics/source') ||
        (arg === '@mvx-metrics/source' && argv[i - 1] === '--conditions')
      ),
  );
}

function documents(count: number, seed: string): Document[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${seed}-${i}`,
    content: `${seed} document ${i}: ${'lorem ipsum dolor sit amet '.repeat(20 + (i % 50))}`,
  }));
}

describe('DocumentHasher (production class, unit-tested without workers)', () => {
  test('emits one document.hashed event per document with its size', () => {
    const recorder = createTestRecorder(hashingMetrics());
    const hasher = new DocumentHasher(recorder);
    expect(hasher.hash({ id: 'a', content: 'hello' })).toBe(sha256('hello'));
    expect(pointValue(recorder, 'documents.hashed')).toBe(1);
    expect(pointValue(recorder, 'documents.hashed.bytes')).toBe(5);
  });
});

describe('a piscina pool whose workers report into one recorder of the owning runtime', () => {
  let pool: HashingPool | undefined;
  let runtime: MetricsRuntime | undefined;

  beforeAll(() => {
    // The pool's workers load the compiled task (dist): build it (incremental, no-op when fresh).
    const root = fileURLToPath(new URL('../../../..', import.meta.url));
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-b', 'packages/examples'], {
      cwd: root,
      stdio: 'inherit',
    });
  }, 120_000);

  afterEach(async () => {
    await pool?.close();
    await runtime?.shutdown();
  });

  test('counts every document hashed in the pool exactly once, in one series', async () => {
    runtime = new MetricsRuntime({ namespace: 'docs' });
    runtime.start();
    pool = createHashingPool(runtime, { maxThreads: 2, execArgv: workerExecArgv() });
    const batches = Array.from({ length: 12 }, (_, b) => documents(25, `batch${b}`));
    const results = await Promise.all(batches.map((batch) => pool?.hash(batch)));

    // CPU work was really done in the workers.
    results.forEach((digests, b) => {
      expect(digests).toEqual(batches[b]?.map((d) => sha256(d.content)));
    });
    // Each task flushed before resolving: the owning recorder already holds every event.
    const recorder = runtime.getRecorder('document_hashing');
    const snapshots = recorder?.getMetricSnapshots() ?? [];
    const all = batches.flat();
    const bytes = all.reduce((sum, d) => sum + Buffer.byteLength(d.content), 0);
    const hashed = snapshots.find((s) => s.name === 'documents.hashed');
    expect(hashed?.points).toHaveLength(1); // no per-worker series
    expect((findPoint(snapshots, 'documents.hashed', {}) as NumberPoint).value).toBe(300);
    expect((findPoint(snapshots, 'documents.hashed.bytes', {}) as NumberPoint).value).toBe(bytes);
    const ratio = findPoint(snapshots, 'documents.compression.ratio', {}) as HistogramPoint;
    expect(ratio.count).toBe(300);
    expect(ratio.max).toBeLessThan(1); // repetitive text compresses
    const stats = pool.exposed.stats();
    expect(stats).toMatchObject({
      connections: 12,
      registered: 300,
      received: 300,
      dropped: 0,
      lost: 0,
    });
  }, 60_000);
});
