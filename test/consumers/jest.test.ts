import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Consumer, installConsumer } from './support/consumer.js';
import { copyApp } from './support/formats.js';
import { nodeBinary } from './support/nodes.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The Jest configuration the README documents (ESM mode with ts-jest), verbatim. */
function readmeJestConfig(): string {
  const readme = readFileSync(`${root}/README.md`, 'utf8');
  const block = /```js\n(\/\/ jest\.config\.js[\s\S]*?)```/.exec(readme)?.[1];
  if (block === undefined) throw new Error('README documents no jest.config.js');
  return block;
}

let consumer: Consumer;
beforeAll(async () => {
  const tarballs = inject('tarballs');
  consumer = await installConsumer('jest', {
    node: nodeBinary(20),
    packageJson: {
      type: 'module',
      scripts: { test: 'node --experimental-vm-modules node_modules/jest/bin/jest.js' },
      dependencies: { '@mvx-metrics/core': `file:${tarballs.core}` },
      devDependencies: {
        jest: '30.5.2',
        '@jest/globals': '30.5.2',
        'ts-jest': '29.4.15',
        typescript: '5.9.3',
        '@types/node': '^20.19.0',
      },
    },
  });
  copyApp(consumer, 'src', (text) => text.replace("from 'vitest'", "from '@jest/globals'"));
  consumer.write('jest.config.js', readmeJestConfig());
  consumer.write(
    'tsconfig.json',
    JSON.stringify({
      compilerOptions: {
        module: 'nodenext',
        target: 'es2022',
        strict: true,
        isolatedModules: true,
      },
      include: ['src/document-storage.test.ts'],
    }),
  );
}, 300_000);
afterAll(() => consumer?.remove());

describe('Jest consumer', () => {
  it("runs the README's unit test against @mvx-metrics/core/testing with the README's config", async () => {
    const run = await consumer.run('npm', ['test', '--', 'src/document-storage.test.ts'], {
      NO_COLOR: '1',
    });
    const output = `${run.stdout}${run.stderr}`;
    expect(output).toMatch(/Tests:\s+1 passed, 1 total/);
    expect(run.code).toBe(0);
  });
});
