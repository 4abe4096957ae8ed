import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';

const unpacked: string[] = [];
afterAll(() => {
  for (const dir of unpacked) rmSync(dir, { recursive: true, force: true });
});

/** Extracts a tarball as npm would and returns its `package/` folder. */
function unpack(tarball: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mvx-unpacked-'));
  unpacked.push(dir);
  execFileSync('tar', ['-xzf', tarball, '-C', dir]);
  return join(dir, 'package');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** Every string an `exports` map points at, through nested conditions. */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap(exportTargets);
}

describe.each(['core', 'bridge'] as const)('the %s tarball', (which) => {
  const pkg = () => unpack(inject('tarballs')[which]);

  it('ships a README and the MIT LICENSE its package.json claims', () => {
    const dir = pkg();
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(manifest.license).toBe('MIT');
    expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain(`# ${manifest.name}`);
  });

  it('points every export condition and typesVersions entry at a shipped file', () => {
    const dir = pkg();
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const targets = [
      ...exportTargets(manifest.exports),
      ...exportTargets(manifest.typesVersions),
      manifest.main,
      manifest.types,
    ];
    expect(targets.length).toBeGreaterThan(6);
    expect(targets.filter((t) => !existsSync(resolve(dir, t)))).toEqual([]);
  });

  it('ships source maps whose every source resolves to a shipped file', () => {
    const dir = pkg();
    const maps = filesUnder(dir).filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(10);
    const missing: string[] = [];
    for (const map of maps) {
      const { sources, sourceRoot } = JSON.parse(readFileSync(map, 'utf8')) as {
        sources: string[];
        sourceRoot?: string;
      };
      for (const source of sources) {
        const path = resolve(dirname(map), sourceRoot ?? '', source);
        if (!existsSync(path)) missing.push(`${relative(dir, map)} -> ${source}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('ships no tests', () => {
    const tests = filesUnder(pkg()).filter((f) => /\.test\.[cm]?[jt]s/.test(f));
    expect(tests).toEqual([]);
  });
});
