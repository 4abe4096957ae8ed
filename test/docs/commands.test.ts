// The commands the README and docs/ tell a user to type exist: every `npm run <script>` is a
// script of the root package.json, every repo path a shell block names (bench/…, test/…,
// packages/…, .ci/…) is there, and `node bench/run.mjs <filter>` selects a bench file.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { codeBlocks, markdownFiles, ROOT, readMarkdown } from './markdown.js';

const scripts = Object.keys(
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: object }).scripts,
);
const benches = readdirSync(join(ROOT, 'bench')).filter((f) => f.endsWith('.bench.mjs'));

const npmRuns = markdownFiles().flatMap((file) =>
  [...readMarkdown(file).matchAll(/npm run ([a-z][\w:-]*)/g)].map(
    (m) => [file, m[1] as string] as const,
  ),
);

const shellLines = markdownFiles()
  .flatMap(codeBlocks)
  .filter((b) => b.lang === 'sh' || b.lang === 'bash')
  .flatMap((b) =>
    b.code
      .split('\n')
      .map((line) => line.replace(/\s#.*$/, '').trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => [`${b.file}:${b.line}`, line] as const),
  );

describe('commands in the README and docs/', () => {
  test('they are found', () => {
    expect(npmRuns.length).toBeGreaterThan(5);
    expect(shellLines.length).toBeGreaterThan(5);
  });

  test.each(npmRuns.map(([file, script]) => [`npm run ${script} (${file})`, script] as const))(
    '%s is a script',
    (_, script) => {
      expect(scripts).toContain(script);
    },
  );

  test.each(shellLines)('%s: %s', (_, line) => {
    for (const m of line.matchAll(/(?:^|\s)((?:\.\/)?(?:bench|test|packages|\.ci)\/[\w./-]*)/g)) {
      const path = (m[1] as string).replace(/^\.\//, '');
      expect(existsSync(join(ROOT, path)), `${path} exists`).toBe(true);
    }
    const filters = /node (?:--expose-gc )?bench\/run\.mjs((?: [a-z-]+)*)/.exec(line)?.[1];
    for (const filter of filters?.trim().split(' ').filter(Boolean) ?? []) {
      expect(
        benches.some((f) => f.includes(filter)),
        `a bench file contains "${filter}"`,
      ).toBe(true);
    }
  });
});

describe('install lines', () => {
  // The consumer tests run docs/wiring-the-bridge.md's install block (test/consumers/support/
  // install-lines.ts); the README repeats it, so the README's block must be the same text.
  const installBlock = (file: string): string | undefined =>
    codeBlocks(file).find(
      (b) => b.lang === 'sh' && b.code.includes('npm install') && b.code.includes('sdk-metrics@'),
    )?.code;

  test("the README's install block is the guide's, which the consumer tests run", () => {
    const readme = installBlock('README.md');
    expect(readme).toBeDefined();
    expect(readme).toBe(installBlock('docs/wiring-the-bridge.md'));
    // exact versions: a caret range lets a later install put a second sdk-metrics in the tree
    for (const line of (readme as string).split('\n').filter((l) => l.startsWith('npm install'))) {
      expect(line.startsWith('npm install -E ')).toBe(true);
    }
  });
});
