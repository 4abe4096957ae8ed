// docs/configuration.md names every flag of the example (`npm start -- --help`) with its
// environment variable, and no flag the example does not have.
import { describe, expect, test } from 'vitest';
import { USAGE } from '../../packages/examples/src/config.js';
import { readMarkdown } from './markdown.js';

const section = () => {
  const text = readMarkdown('docs/configuration.md');
  return text.slice(
    text.indexOf('## The example service'),
    text.indexOf('## The OTEL environment'),
  );
};
const flagsOf = (text: string) => new Set([...text.matchAll(/(--[a-z][a-z-]+)/g)].map((m) => m[1]));
const pairsOf = (text: string) =>
  [...text.matchAll(/^\s+(--[a-z-]+)(?: <[^>]+>)?\s+([A-Z][A-Z0-9_]+(?:=1)?)\s/gm)].map(
    (m) => [m[1] as string, (m[2] as string).replace(/=1$/, '')] as const,
  );

describe('the example flags in docs/configuration.md', () => {
  test('every flag of the usage text is documented, with its environment variable', () => {
    const doc = section();
    const pairs = pairsOf(USAGE);
    expect(pairs.length).toBeGreaterThanOrEqual(10);
    for (const [flag, env] of pairs) expect(doc).toContain(`\`${flag}\`/\`${env}`);
    expect(doc).toContain('`--no-load`');
  });

  test('the guide names no flag the example lacks', () => {
    const known = flagsOf(USAGE);
    for (const flag of flagsOf(section())) expect(known).toContain(flag);
  });
});
