// ARCHITECTURE.md and the guides in docs/ cite source files by path; a file that moves must take
// its citations with it. A cited path is a `…/….ts` (or .mjs) word; it counts as found when it
// names a file from the repository root, from packages/, or from some package's src/ (the page
// writes `otel-bridge/src/attach/attachment.ts`, `kinds/index.ts`, `core/src/...`). The add-a-kind
// checklist names files still to be written, so its section is left out.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const packages = readdirSync(join(root, 'packages'));

const pages = [
  'ARCHITECTURE.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** The page without the sections that name files yet to be written. */
function citingText(markdown: string): string {
  return markdown.replace(/^## How to add a metric kind\n[\s\S]*?(?=^## )/m, '');
}

function citedPaths(text: string): string[] {
  // Not the tail of a URL or of a longer path: nothing path-like right before it.
  const found = text.match(/(?<![\w/:.-])[A-Za-z0-9_-][\w.-]*(?:\/[\w.-]+)+\.(?:ts|mjs)\b/g) ?? [];
  return [...new Set(found)];
}

function resolves(path: string): boolean {
  const candidates = [
    join(root, path),
    join(root, 'packages', path),
    ...packages.map((pkg) => join(root, 'packages', pkg, 'src', path)),
  ];
  return candidates.some((candidate) => existsSync(candidate));
}

describe('source paths cited in the docs', () => {
  it.each(pages)('%s cites only files that exist', (page) => {
    const cited = citedPaths(citingText(readFileSync(join(root, page), 'utf8')));
    expect(cited.filter((path) => !resolves(path))).toEqual([]);
  });

  it('finds the citations of ARCHITECTURE.md, and would catch a moved file', () => {
    const cited = citedPaths(citingText(readFileSync(join(root, 'ARCHITECTURE.md'), 'utf8')));
    expect(cited).toContain('core/src/recorder/dispatch-index.ts');
    expect(cited.length).toBeGreaterThan(30);
    expect(resolves('otel-bridge/src/otlp/export-outcomes.ts')).toBe(true);
    expect(resolves('otel-bridge/src/pipeline/export-outcomes.ts')).toBe(false);
    expect(citedPaths('see `pipeline/export-observer.ts`, and https://x.io/a/b.ts')).toEqual([
      'pipeline/export-observer.ts',
    ]);
  });
});
