import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Consumer, installConsumer } from './support/consumer.js';
import { nodeBinary } from './support/nodes.js';
import { OTEL_SDK2_PACKAGES } from './support/sdk2-packages.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = join(root, 'test/consumers/fixtures/runtimes');

/** The Bun or Deno binary `.ci/node-versions` pins, fetched from the npm registry by `.ci/runtime-bin`. */
function runtimeBinary(runtime: 'bun' | 'deno'): string {
  const pins = readFileSync(join(root, '.ci/node-versions'), 'utf8');
  const version = new RegExp(`^${runtime.toUpperCase()}=(\\S+)$`, 'm').exec(pins)?.[1];
  if (version === undefined) throw new Error(`.ci/node-versions pins no ${runtime}`);
  return execFileSync(join(root, '.ci/runtime-bin'), [runtime, version], {
    encoding: 'utf8',
  }).trim();
}

function resultOf(stdout: string): unknown {
  const line = stdout.split('\n').find((l) => l.startsWith('@@RESULT@@'));
  if (line === undefined) throw new Error(`no result in output:\n${stdout}`);
  return JSON.parse(line.slice('@@RESULT@@'.length));
}

const EXPECTED = {
  scraped: { success: 900, failure: 100, count: 1000 },
  core: { success: 900, failure: 100 },
};

// One consumer project (the packed tarballs and the SDK 2.x line, installed by npm on Node 20),
// run by Bun and by Deno as their users run it: the packages are plain ESM with an exports map.
let consumer: Consumer;
let bun: string;
let deno: string;
beforeAll(async () => {
  bun = runtimeBinary('bun');
  deno = runtimeBinary('deno');
  const tarballs = inject('tarballs');
  consumer = await installConsumer('runtimes', {
    node: nodeBinary(20),
    packageJson: {
      type: 'module',
      dependencies: {
        '@mvx-metrics/core': `file:${tarballs.core}`,
        '@mvx-metrics/otel-bridge': `file:${tarballs.bridge}`,
        ...OTEL_SDK2_PACKAGES,
        '@opentelemetry/exporter-metrics-otlp-proto': '0.223.0',
        '@opentelemetry/exporter-trace-otlp-proto': '0.223.0',
      },
      // Deno type-checks against the packages' declarations, which use Node's types.
      devDependencies: { '@types/node': '^20.19.0' },
    },
  });
  for (const file of [
    'pipeline.mjs',
    'document-storage.bun.test.ts',
    'document-storage.node-test.mjs',
  ]) {
    consumer.write(file, readFileSync(join(fixtures, file), 'utf8'));
  }
}, 300_000);
afterAll(() => consumer?.remove());

describe('Bun', () => {
  it('runs a unit test with the testing kit under `bun test`', async () => {
    const run = await consumer.run(bun, ['test', './document-storage.bun.test.ts'], {
      NO_COLOR: '1',
    });
    const output = `${run.stdout}${run.stderr}`;
    expect(output).toMatch(/\b1 pass\b/);
    expect(output).toMatch(/\b0 fail\b/);
    expect(run.code).toBe(0);
  });

  it('runs the pipeline: /metrics equals core state', async () => {
    const run = await consumer.run(bun, ['pipeline.mjs']);
    expect(run.stderr).toBe('');
    expect(resultOf(run.stdout)).toEqual(EXPECTED);
    expect(run.code).toBe(0);
  });
});

describe('Deno', () => {
  it('runs the node:test unit test under `deno test`, type-checked', async () => {
    const run = await consumer.run(
      deno,
      ['test', '--allow-all', 'document-storage.node-test.mjs'],
      {
        NO_COLOR: '1',
      },
    );
    const output = `${run.stdout}${run.stderr}`;
    expect(output).toMatch(/ok \| 1 passed \| 0 failed/);
    expect(run.code).toBe(0);
  });

  it('runs the pipeline: /metrics equals core state', async () => {
    const run = await consumer.run(deno, ['run', '--allow-all', 'pipeline.mjs'], {
      NO_COLOR: '1',
    });
    expect(resultOf(run.stdout)).toEqual(EXPECTED);
    expect(run.code).toBe(0);
  });
});

describe('Node', () => {
  it('runs the node:test unit test under `node --test`', async () => {
    const run = await consumer.run('node', ['--test', 'document-storage.node-test.mjs']);
    expect(run.stdout).toMatch(/^# pass 1$/m);
    expect(run.stdout).toMatch(/^# fail 0$/m);
    expect(run.code).toBe(0);
  });
});
