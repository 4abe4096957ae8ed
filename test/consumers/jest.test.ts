import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Consumer, installConsumer } from './support/consumer.js';
import { copyApp } from './support/formats.js';
import { nodeBinary } from './support/nodes.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

const guide = () => readFileSync(`${root}/docs/testing.md`, 'utf8');

/** The Jest configuration docs/testing.md documents (ESM mode with ts-jest), verbatim. */
function documentedJestConfig(): string {
  const block = /```js\n(\/\/ jest\.config\.js[\s\S]*?)```/.exec(guide())?.[1];
  if (block === undefined) throw new Error('docs/testing.md documents no jest.config.js');
  return block;
}

/** The dev dependencies of the guide's `npm install -D jest@… …` line, as `{ name: version }`. */
function documentedJestInstall(): Record<string, string> {
  const line = /^npm install -D (jest@.*)$/m.exec(guide())?.[1];
  if (line === undefined) throw new Error('docs/testing.md has no `npm install -D jest@…` line');
  return Object.fromEntries(
    line.split(/\s+/).map((spec) => {
      const at = spec.lastIndexOf('@');
      return [spec.slice(0, at), spec.slice(at + 1)];
    }),
  );
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
      devDependencies: { ...documentedJestInstall(), '@types/node': '^20.19.0' },
    },
  });
  copyApp(consumer, 'src', (text) => text.replace("from 'vitest'", "from '@jest/globals'"));
  consumer.write('jest.config.js', documentedJestConfig());
  // Jest's default CommonJS mode: the same test through ts-jest without useESM, no VM-modules flag.
  consumer.write(
    'jest.cjs-mode.config.js',
    "export default { testEnvironment: 'node', transform: { '^.+\\\\.ts$': ['ts-jest', {}] } };\n",
  );
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
  it('installs the versions docs/testing.md pins, TypeScript below 7 for ts-jest 29', () => {
    const pins = documentedJestInstall();
    expect(Object.keys(pins).sort()).toEqual(['@jest/globals', 'jest', 'ts-jest', 'typescript']);
    expect(Number(pins.typescript?.split('.')[0])).toBeLessThan(7);
  });

  it("runs the guide's unit test against @mvx-metrics/core/testing with the guide's config", async () => {
    const run = await consumer.run('npm', ['test', '--', 'src/document-storage.test.ts'], {
      NO_COLOR: '1',
    });
    const output = `${run.stdout}${run.stderr}`;
    expect(output).toMatch(/Tests:\s+1 passed, 1 total/);
    expect(run.code).toBe(0);
  });

  it("fails in Jest's default CommonJS mode, as docs/testing.md says", async () => {
    const run = await consumer.run(
      'node',
      [
        'node_modules/jest/bin/jest.js',
        '-c',
        'jest.cjs-mode.config.js',
        'src/document-storage.test.ts',
      ],
      { NO_COLOR: '1' },
    );
    const output = `${run.stdout}${run.stderr}`;
    expect(output).toContain('Must use import to load ES Module');
    expect(run.code).not.toBe(0);
  });
});
