import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KIND_DEFINITIONS } from './index.js';

// Core compares no kind names outside its kind definitions: what differs per kind lives in
// kinds/, one definition per kind. The pattern is built from the registry, so a new kind is
// covered the day it is registered.

const SRC = fileURLToPath(new URL('..', import.meta.url));
const KINDS = fileURLToPath(new URL('.', import.meta.url));

/** A registered kind written as a string literal ('…', "…" or `…`). */
const KIND_LITERAL = new RegExp(`(['"\`])(${KIND_DEFINITIONS.map((d) => d.kind).join('|')})\\1`);

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** `file:line: text` for every kind literal in the code of `text` (comments are documentation). */
function kindLiterals(file: string, text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    const code = line.trim();
    if (code.startsWith('//') || code.startsWith('*') || code.startsWith('/*')) return;
    if (KIND_LITERAL.test(code.replace(/\/\/.*$/, ''))) found.push(`${file}:${i + 1}: ${code}`);
  });
  return found;
}

describe('one definition per metric kind in core', () => {
  it('no core source outside kinds/ names a metric kind', () => {
    const outside = sources(SRC).filter((file) => !file.startsWith(KINDS));
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
