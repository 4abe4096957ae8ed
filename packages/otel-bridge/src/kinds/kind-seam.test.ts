import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KIND_DEFINITIONS } from '@mvx-metrics/core/kinds';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('..', import.meta.url));
const KINDS = fileURLToPath(new URL('.', import.meta.url));

/**
 * A metric kind written as a string literal: what a kind comparison outside kinds/ needs. Every
 * kind of core's registry, so a kind added there is watched here too.
 */
const KIND_LITERAL = new RegExp(
  `(['"\`])(${KIND_DEFINITIONS.map((d) => d.kind).join('|')})\\1`,
  'g',
);

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** `file:line: text` for every kind literal in `text`. */
function kindLiterals(file: string, text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.match(KIND_LITERAL)) found.push(`${file}:${i + 1}: ${line.trim()}`);
  });
  return found;
}

describe('one seam per metric kind', () => {
  it('no bridge source outside kinds/ names a metric kind', () => {
    const outside = sources(SRC).filter((file) => !file.startsWith(KINDS));
    expect(outside.length).toBeGreaterThan(20);
    const found = outside.flatMap((file) =>
      kindLiterals(relative(SRC, file), readFileSync(file, 'utf8')),
    );
    expect(found).toEqual([]);
  });

  it('the scan finds kind comparisons when they are there', () => {
    const sample = [
      "if (view.kind === 'histogram') return;",
      'switch (kind) { case "counter": break; }',
      'const isGauge = kind === `gauge`;',
      "kind: self.monotonic ? 'counter' : 'upDownCounter',",
      "const native = kind === 'exponentialHistogram';",
      '// a histogram comment is fine',
    ].join('\n');
    expect(kindLiterals('sample.ts', sample)).toHaveLength(5);
    for (const { kind } of KIND_DEFINITIONS) {
      expect(kindLiterals('sample.ts', `if (kind === '${kind}') return;`)).toHaveLength(1);
    }
  });
});
