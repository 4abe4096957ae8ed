// The API reference (`npm run docs:api`, TypeDoc) documents every entry point a user can import:
// each package's typedoc.json lists exactly the source files of its `exports` map. An entry point
// added to `exports` without its TypeDoc entry would be missing from the reference silently.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from './markdown.js';

const json = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));

describe('the API reference covers every entry point', () => {
  const root = json('typedoc.json');

  test('the root configuration converts both published packages, into the ignored docs/api/', () => {
    expect(root.entryPointStrategy).toBe('packages');
    expect([...root.entryPoints].sort()).toEqual(['packages/core', 'packages/otel-bridge']);
    expect(root.out).toBe('docs/api');
    expect(readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n')).toContain('docs/api/');
  });

  test.each(['packages/core', 'packages/otel-bridge'])(
    "%s: TypeDoc's entry points are the exports map's sources",
    (dir) => {
      const exported = Object.values(json(`${dir}/package.json`).exports as Record<string, unknown>)
        .flatMap((conditions) =>
          typeof conditions === 'object' && conditions !== null
            ? [(conditions as Record<string, string>)['@mvx-metrics/source']]
            : [],
        )
        .map((source) => source?.replace(/^\.\//, ''));
      expect(exported.length).toBeGreaterThan(1);
      expect([...json(`${dir}/typedoc.json`).entryPoints].sort()).toEqual(exported.sort());
    },
  );

  test('npm run docs:api builds first, so it works from a clean checkout (no dist/)', () => {
    // TypeDoc resolves the bridge's imports of @mvx-metrics/core through core's built declarations.
    expect(json('package.json').scripts['docs:api']).toMatch(/^turbo run build\b.*&& typedoc$/);
  });
});
