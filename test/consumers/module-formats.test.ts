import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Consumer, installConsumer } from './support/consumer.js';
import { loaderScript, TS_VARIANTS, writeTsVariant } from './support/formats.js';
import { nodeBinary } from './support/nodes.js';
import { resultOf } from './support/otel-line.js';
import { OTEL_SDK2_PACKAGES } from './support/sdk2-packages.js';

// One install (SDK 2.x line, which runs on every supported Node), loaded by ESM, CommonJS and
// TypeScript consumers on Node 20, 22 and 24.
let consumer: Consumer;
beforeAll(async () => {
  const tarballs = inject('tarballs');
  consumer = await installConsumer('formats', {
    node: nodeBinary(20),
    packageJson: {
      dependencies: {
        '@mvx-metrics/core': `file:${tarballs.core}`,
        '@mvx-metrics/otel-bridge': `file:${tarballs.bridge}`,
        ...OTEL_SDK2_PACKAGES,
      },
      devDependencies: { typescript: '5.9.3', '@types/node': '^20.19.0', vitest: '4.1.12' },
    },
  });
  consumer.write('esm.mjs', loaderScript('import'));
  consumer.write('cjs.cjs', loaderScript('require'));
}, 300_000);
afterAll(() => consumer?.remove());

const EXPECTED_EXPORTS = {
  '@mvx-metrics/core': expect.arrayContaining(['MetricsRuntime', 'counter', 'histogram']),
  '@mvx-metrics/core/testing': expect.arrayContaining(['createTestRecorder', 'pointValue']),
  '@mvx-metrics/otel-bridge': expect.arrayContaining(['attachOtelBridge', 'createMetricProducer']),
  '@mvx-metrics/otel-bridge/pipeline': expect.arrayContaining(['createOtelPipeline']),
};

describe.each([20, 22, 24] as const)('JavaScript consumers on Node %i', (major) => {
  it('import() loads every entry point', async () => {
    const node = nodeBinary(major);
    const run = await consumer.run(node.node, ['esm.mjs']);
    expect(run.code).toBe(0);
    expect(resultOf(run.stdout)).toEqual(EXPECTED_EXPORTS);
  });

  it('require() loads every entry point (require(esm), Node >= 20.19 / 22.12 / 24)', async () => {
    const node = nodeBinary(major);
    const run = await consumer.run(node.node, ['cjs.cjs']);
    expect(run.code).toBe(0);
    expect(resultOf(run.stdout)).toEqual(EXPECTED_EXPORTS);
  });
});

describe.each(TS_VARIANTS)('TypeScript consumer, $name', (variant) => {
  it("compiles the README's production class, wiring and unit test (or rejects them as the README says)", async () => {
    const folder = writeTsVariant(consumer, variant);
    const tsc = await consumer.run('node', ['node_modules/typescript/bin/tsc', '-p', folder]);
    if (variant.rejects !== undefined) {
      expect(tsc.stdout).toMatch(variant.rejects);
      expect(tsc.code).not.toBe(0);
      return;
    }
    expect(`${tsc.stdout}${tsc.stderr}`).toBe('');
    expect(tsc.code).toBe(0);
    if (!variant.runs) return;
    const run = await consumer.run('node', [`${folder}/dist/main.js`]);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('saved: created');
  });
});

describe('Vitest consumer', () => {
  it("runs the README's unit test against @mvx-metrics/core/testing", async () => {
    const folder = writeTsVariant(consumer, TS_VARIANTS[0] as (typeof TS_VARIANTS)[0]);
    const run = await consumer.run(
      'node',
      ['node_modules/vitest/vitest.mjs', 'run', `${folder}/document-storage.test.ts`],
      { NO_COLOR: '1' },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Tests\s+1 passed \(1\)/);
  });
});
