import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KIND_DEFINITIONS } from '@mvx-metrics/core/kinds';
import { describe, expect, it } from 'vitest';
import { kindLiterals, sourceFiles } from '../../../../test/support/kind-literals.js';

const SRC = fileURLToPath(new URL('..', import.meta.url));
const KINDS = fileURLToPath(new URL('.', import.meta.url));

describe('one seam per metric kind', () => {
  it('no bridge source outside kinds/ names a metric kind', () => {
    const outside = sourceFiles(SRC).filter((file) => !file.startsWith(KINDS));
    expect(outside.length).toBeGreaterThan(20);
    const found = outside.flatMap((file) =>
      kindLiterals(relative(SRC, file), readFileSync(file, 'utf8')),
    );
    expect(found).toEqual([]);
  });

  it('the scan finds kind comparisons when they are there', () => {
    const sample = [
      "if (view.kind === 'histogram') return;",
      'switch (kind) { case "counter": break; }',
      'const isGauge = kind === `gauge`;',
      "kind: self.monotonic ? 'counter' : 'upDownCounter',",
      "const native = kind === 'exponentialHistogram';",
      '// a histogram comment is fine',
    ].join('\n');
    expect(kindLiterals('sample.ts', sample)).toHaveLength(5);
    for (const { kind } of KIND_DEFINITIONS) {
      expect(kindLiterals('sample.ts', `if (kind === '${kind}') return;`)).toHaveLength(1);
    }
  });
});
