import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kindLiterals, sourceFiles } from '../../../../test/support/kind-literals.js';
import { KIND_DEFINITIONS } from './index.js';

// Core compares no kind names outside its kind definitions: what differs per kind lives in
// kinds/, one definition per kind. The pattern is built from the registry, so a new kind is
// covered the day it is registered.

const SRC = fileURLToPath(new URL('..', import.meta.url));
const KINDS = fileURLToPath(new URL('.', import.meta.url));

describe('one definition per metric kind in core', () => {
  it('no core source outside kinds/ names a metric kind', () => {
    const outside = sourceFiles(SRC).filter((file) => !file.startsWith(KINDS));
    expect(outside.length).toBeGreaterThan(40);
    const found = outside.flatMap((file) =>
      kindLiterals(relative(SRC, file), readFileSync(file, 'utf8')),
    );
    expect(found).toEqual([]);
  });

  it('the scan finds every registered kind compared as a string, and skips comments', () => {
    for (const { kind } of KIND_DEFINITIONS) {
      const sample = [
        `if (this.kind === '${kind}') return;`,
        `switch (kind) { case "${kind}": break; }`,
        `const is = kind === \`${kind}\`;`,
        `x = kind === '${kind}' ? 1 : 2; // a comment`,
        `/** kind: '${kind}' in an example */`,
        ` * kind: '${kind}',`,
        `// if (kind === '${kind}')`,
      ].join('\n');
      expect(kindLiterals('sample.ts', sample)).toHaveLength(4);
    }
    expect(kindLiterals('sample.ts', "const name = 'counters';")).toEqual([]);
  });
});
