// The scan behind both packages' kind-seam tests: no source outside a package's kinds/ names a
// metric kind as a string literal. The pattern is built from core's registry, so a kind is
// watched the day it is registered.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { KIND_DEFINITIONS } from '@mvx-metrics/core/kinds';

/** A registered kind written as a string literal ('…', "…" or `…`). */
const KIND_LITERAL = new RegExp(`(['"\`])(${KIND_DEFINITIONS.map((d) => d.kind).join('|')})\\1`);

/** Every `.ts` source under `dir` (tests left out), recursively. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** `file:line: text` for every kind literal in the code of `text` (comments are documentation). */
export function kindLiterals(file: string, text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    const code = line.trim();
    if (code.startsWith('//') || code.startsWith('*') || code.startsWith('/*')) return;
    if (KIND_LITERAL.test(code.replace(/\/\/.*$/, ''))) found.push(`${file}:${i + 1}: ${code}`);
  });
  return found;
}
