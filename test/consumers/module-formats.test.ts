import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Consumer, installConsumer } from './support/consumer.js';
import { loaderScript, TS_VARIANTS, writeTsVariant } from './support/formats.js';
import { nodeBinary } from './support/nodes.js';
import { resultOf } from './support/otel-line.js';
import { OTEL_SDK2_PACKAGES } from './support/sdk2-packages.js';

const tscBuild = new URL('./fixtures/tsc-build.cjs', import.meta.url);

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

/** What `tsc` printed for one project and its exit status. */
interface Compiled {
  readonly code: number;
  readonly output: string;
}

// The six projects compile in one `tsc -b` of the consumer's TypeScript (fixtures/tsc-build.cjs):
// the declaration files every project reads (lib, @types/node, vitest's, the packages') are parsed
// and bound once instead of six times, as TypeScript's build mode does; each project is checked by
// its own program with its own options and reports apart, as `tsc -p <project>` would.
type Builds = Map<string, { folder: string; tsc: Compiled | undefined }>;
async function buildVariants(): Promise<Builds> {
  const folders = new Map(TS_VARIANTS.map((v) => [v.name, writeTsVariant(consumer, v)]));
  consumer.write('tsc-build.cjs', readFileSync(tscBuild, 'utf8'));
  const run = await consumer.run('node', ['tsc-build.cjs', ...folders.values()]);
  if (run.code !== 0 || run.stderr !== '') {
    throw new Error(`tsc-build.cjs failed (${run.code}):\n${run.stderr}`);
  }
  const built = resultOf<Record<string, Compiled>>(run.stdout);
  return new Map([...folders].map(([name, folder]) => [name, { folder, tsc: built[folder] }]));
}
let compiled: Promise<Builds> | undefined;
/** The one build of every variant, started by the first test that needs it. */
const compileVariants = (): Promise<Builds> => (compiled ??= buildVariants());

describe.each(TS_VARIANTS)('TypeScript consumer, $name', (variant) => {
  it("compiles the README's production class, wiring and unit test (or rejects them as the README says)", async () => {
    const { folder, tsc } = (await compileVariants()).get(variant.name) ?? {
      folder: variant.name,
      tsc: undefined,
    };
    if (tsc === undefined) throw new Error(`tsc -b did not build ${folder}`);
    if (variant.rejects !== undefined) {
      expect(tsc.output).toMatch(variant.rejects);
      expect(tsc.code).not.toBe(0);
      return;
    }
    expect(tsc.output).toBe('');
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
