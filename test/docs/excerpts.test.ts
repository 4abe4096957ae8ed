import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { codeBlocks, markdownFiles, quotedFile, ROOT } from './markdown.js';

/** Code blocks of the README and docs/ that open with `// <repo file>`: excerpts of that file. */
function excerpts(): { where: string; file: string; lines: string[] }[] {
  return markdownFiles()
    .flatMap(codeBlocks)
    .flatMap((block) => {
      const file = quotedFile(block);
      if (file === undefined) return [];
      return [
        { where: `${block.file}:${block.line}`, file, lines: block.code.split('\n').slice(1) },
      ];
    });
}

describe('excerpts of the example and the fixtures in the README and docs/', () => {
  const found = excerpts();

  test('the docs quote the example code', () => {
    expect(
      found.filter((e) => e.file.startsWith('packages/examples/src/')).length,
    ).toBeGreaterThanOrEqual(6);
  });

  // Each non-elided line must appear in the file, in the same order: the docs cannot drift
  // from the code a user copies.
  test.each(found.map((e) => [`${e.where} quotes ${e.file}`, e] as const))('%s', (_, excerpt) => {
    const source = readFileSync(join(ROOT, excerpt.file), 'utf8')
      .split('\n')
      .map((line) => line.trim());
    let at = 0;
    for (const raw of excerpt.lines) {
      const line = raw.trim();
      if (line === '' || line.startsWith('// ...')) continue;
      const index = source.indexOf(line, at);
      expect(index, `line not found (in order) in ${excerpt.file}: ${line}`).toBeGreaterThanOrEqual(
        0,
      );
      at = index + 1;
    }
  });
});
