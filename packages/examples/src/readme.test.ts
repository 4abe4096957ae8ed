import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');

/** README code blocks that open with `// packages/examples/src/<file>`: excerpts of that file. */
function excerpts(): { file: string; lines: string[] }[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/```ts\n\/\/ (packages\/examples\/src\/\S+)\n([\s\S]*?)```/g)].map(
    (m) => ({ file: m[1] as string, lines: (m[2] as string).split('\n') }),
  );
}

describe('README excerpts of the example', () => {
  const found = excerpts();

  test('the README quotes the example code', () => {
    expect(found.length).toBeGreaterThanOrEqual(6);
  });

  // Each non-elided line must appear in the file, in the same order: the README cannot drift
  // from the code a user copies.
  test.each(found.map((e) => [e.file, e] as const))('%s', (file, excerpt) => {
    const source = readFileSync(join(ROOT, file), 'utf8')
      .split('\n')
      .map((line) => line.trim());
    let at = 0;
    for (const raw of excerpt.lines) {
      const line = raw.trim();
      if (line === '' || line.startsWith('// ...')) continue;
      const index = source.indexOf(line, at);
      expect(index, `README line not found (in order) in ${file}: ${line}`).toBeGreaterThanOrEqual(
        0,
      );
      at = index + 1;
    }
  });
});
