// No folder of a package's src/ holds more than 12 source files: past that a folder is two
// concepts, and a reader no longer finds one by its name. A source file is a TypeScript or
// JavaScript module that is not a unit test (`*.test.ts` beside the code does not count); each
// folder counts the files directly in it (a subfolder counts its own).
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MAX_SOURCE_FILES = 12;
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PACKAGES = ['core', 'otel-bridge', 'examples'];

const isSource = (name: string): boolean =>
  /\.(ts|mts|cts|tsx|js|mjs|cjs)$/.test(name) && !/\.test\.[cm]?[jt]sx?$/.test(name);

/** Each folder under `dir` (itself included) with the number of source files directly in it. */
function sourceCounts(dir: string): Map<string, number> {
  const counts = new Map<string, number>();
  const visit = (folder: string) => {
    let files = 0;
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.isDirectory()) visit(join(folder, entry.name));
      else if (isSource(entry.name)) files++;
    }
    counts.set(relative(root, folder), files);
  };
  visit(dir);
  return counts;
}

/** The folders over the limit, as `path: count`. */
function oversized(counts: ReadonlyMap<string, number>, limit = MAX_SOURCE_FILES): string[] {
  return [...counts].filter(([, n]) => n > limit).map(([folder, n]) => `${folder}: ${n}`);
}

describe('folder size', () => {
  it.each(PACKAGES)(
    `no folder of packages/%s/src holds more than ${MAX_SOURCE_FILES} source files`,
    (pkg) => {
      const counts = sourceCounts(join(root, 'packages', pkg, 'src'));
      expect(counts.size).toBeGreaterThan(1);
      expect(oversized(counts)).toEqual([]);
    },
  );

  it('counts modules, not the unit tests beside them', () => {
    const names = ['a.ts', 'a.test.ts', 'b.mts', 'c.d.ts', 'd.test.mjs', 'e.json', 'f.js'];
    expect(names.filter(isSource)).toEqual(['a.ts', 'b.mts', 'c.d.ts', 'f.js']);
  });

  it('would catch a folder of 13 source files, and not one of 12', () => {
    const counts = sourceCounts(join(root, 'packages', 'otel-bridge', 'src'));
    const grown = new Map([...counts, ['packages/otel-bridge/src/grown', 13]]);
    expect(oversized(grown)).toEqual(['packages/otel-bridge/src/grown: 13']);
    expect(oversized(new Map([['full', 12]]))).toEqual([]);
  });
});
