// Every figure in the performance and reliability guides (and the README's headline table) names
// where it comes from: a bench file or command, a test file, or the mutation runner (stryker/). A row without a source, or whose
// source does not exist, fails here. Rows may cite the source in any cell (so a new row in the
// four-column reliability shape passes by ending its Figures cell with `source: <test file>`);
// a table may instead name one source for all its rows in an HTML comment right above it
// (`<!-- source: bench/x.bench.mjs -->`).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT, type Table, tables } from './markdown.js';

const FIGURE_FILES = ['docs/performance.md', 'docs/reliability.md', 'README.md'];

const benchFiles = readdirSync(join(ROOT, 'bench')).filter((f) => f.endsWith('.bench.mjs'));

/** The sources a piece of text cites: test files, bench files, bench commands. */
function citedSources(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(
    /(?:^|[\s`([])((?:test|packages|bench|stryker)\/[\w./-]+\.(?:test\.ts|mjs))/g,
  )) {
    if (m[1] !== 'bench/run.mjs') found.push(m[1] as string); // the runner: its filters are the source
  }
  for (const m of text.matchAll(/node (?:--expose-gc )?bench\/run\.mjs((?: [a-z-]+)+)/g)) {
    for (const filter of (m[1] as string).trim().split(' ')) found.push(`bench/run.mjs ${filter}`);
  }
  if (/npm run bench\b/.test(text)) found.push('npm run bench');
  return found;
}

/** Whether a cited source exists: the file, or a bench filter that selects at least one file. */
function exists(source: string): boolean {
  if (source === 'npm run bench') return true;
  const filter = /^bench\/run\.mjs (\S+)$/.exec(source)?.[1];
  if (filter !== undefined) return benchFiles.some((f) => f.includes(filter));
  return existsSync(join(ROOT, source));
}

/** Tables holding figures: every table of the performance and reliability guides, and the README's "Figures". */
function figureTables(): Table[] {
  return FIGURE_FILES.flatMap((file) =>
    tables(file).filter((t) => file !== 'README.md' || t.header.includes('Source')),
  );
}

describe('every figure names its source', () => {
  const all = figureTables();

  test('the figure tables are found (performance, reliability, the README headline)', () => {
    const byFile = (file: string) => all.filter((t) => t.file === file).length;
    expect(byFile('docs/performance.md')).toBeGreaterThanOrEqual(5);
    expect(byFile('docs/reliability.md')).toBeGreaterThanOrEqual(1);
    expect(byFile('README.md')).toBe(1);
  });

  const rows = all.flatMap((table) =>
    table.rows.map(
      (row) => [`${table.file}:${row.line} ${row.cells[0]?.slice(0, 60)}`, table, row] as const,
    ),
  );
  test.each(rows)('%s', (_, table, row) => {
    const own = citedSources(row.text);
    const inherited = table.marker?.startsWith('source:') ? citedSources(table.marker) : [];
    const sources = [...own, ...inherited];
    expect(sources, 'the row (or its table) cites a bench or test file').not.toEqual([]);
    for (const source of sources) expect(exists(source), `${source} exists`).toBe(true);
  });
});

describe('citedSources', () => {
  test('finds test files, bench files and bench commands, and nothing in plain text', () => {
    expect(
      citedSources('3 runs; source: `test/reliability/soak.test.ts`, `bench/soak.mjs`'),
    ).toEqual(['test/reliability/soak.test.ts', 'bench/soak.mjs']);
    expect(citedSources('(`node bench/run.mjs core bridge`)')).toEqual([
      'bench/run.mjs core',
      'bench/run.mjs bridge',
    ]);
    expect(citedSources('| 14.1 ns | 13.1 ns | 1.07× |')).toEqual([]);
  });

  test('a missing file or a filter that selects no bench does not exist', () => {
    expect(exists('test/reliability/no-such.test.ts')).toBe(false);
    expect(exists('bench/run.mjs nosuchbench')).toBe(false);
    expect(exists('bench/run.mjs capture')).toBe(true);
  });
});
