// The recipes of docs/production.md that mount `pipeline.requestHandler` on node:http, Express,
// Fastify and Koa are the code test/health/request-handler.test.ts runs against each real
// framework, between its `// recipe: <name>` and `// end recipe` lines. The compile check of
// code-blocks.test.ts alone would let a recipe drift from the one that is run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { codeBlocks, ROOT } from './markdown.js';

const TEST_FILE = 'test/health/request-handler.test.ts';

/** Trimmed, non-empty lines: the test indents its recipes deeper than the guide. */
const lines = (code: string) =>
  code
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');

function testedRecipes(): Map<string, string[]> {
  const source = readFileSync(join(ROOT, TEST_FILE), 'utf8');
  const recipes = new Map<string, string[]>();
  for (const m of source.matchAll(/\/\/ recipe: (.+)\n([\s\S]*?)\n\s*\/\/ end recipe/g)) {
    recipes.set(m[1]?.trim() as string, lines(m[2] as string));
  }
  return recipes;
}

// The guide's recipe blocks: the TypeScript blocks that call pipeline.requestHandler.
const documented = codeBlocks('docs/production.md').filter(
  (b) => b.lang === 'ts' && b.code.includes('pipeline.requestHandler'),
);

describe('the request-handler recipes of docs/production.md are the tested ones', () => {
  const tested = testedRecipes();

  test('a recipe per framework is run by the test: node:http (alone and beside routes), Express, Fastify, Koa', () => {
    expect([...tested.keys()]).toEqual([
      'node:http',
      'node:http beside routes',
      'Express',
      'Fastify',
      'Koa',
    ]);
    expect(documented).toHaveLength(tested.size);
  });

  test.each(documented.map((b) => [`docs/production.md:${b.line}`, b] as const))(
    '%s is a recipe the test runs, line for line',
    (_, block) => {
      const shown = lines(block.code);
      const match = [...tested.entries()].find(
        ([, code]) => JSON.stringify(code) === JSON.stringify(shown),
      );
      expect(match, `no recipe of ${TEST_FILE} equals:\n${shown.join('\n')}`).toBeDefined();
    },
  );
});
