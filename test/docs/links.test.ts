import { existsSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { anchors, links, markdownFiles, ROOT } from './markdown.js';

const relativeLinks = [...markdownFiles(), 'ARCHITECTURE.md']
  .flatMap(links)
  .filter((link) => !/^[a-z][a-z0-9+.-]*:/i.test(link.target));

describe('relative links in the README and docs/', () => {
  test('there are links to check (the README links every guide)', () => {
    const fromReadme = relativeLinks.filter((l) => l.file === 'README.md').map((l) => l.target);
    for (const guide of markdownFiles().filter((f) => f.startsWith('docs/'))) {
      expect(fromReadme.some((t) => t.split('#')[0] === guide)).toBe(true);
    }
  });

  test.each(relativeLinks.map((l) => [`${l.file}:${l.line} → ${l.target}`, l] as const))(
    '%s resolves',
    (_, link) => {
      const [path = '', anchor] = link.target.split('#');
      const target = path === '' ? link.file : normalize(join(dirname(link.file), path));
      expect(relative(ROOT, join(ROOT, target)).startsWith('..'), 'stays in the repo').toBe(false);
      expect(existsSync(join(ROOT, target)), `${target} exists`).toBe(true);
      if (anchor !== undefined) {
        expect(target.endsWith('.md') && statSync(join(ROOT, target)).isFile()).toBe(true);
        expect([...anchors(target)], `#${anchor} is a heading of ${target}`).toContain(anchor);
      }
    },
  );
});
