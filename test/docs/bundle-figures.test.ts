// The bundle sizes docs/performance.md shows (and the README's bundler row) are the ones
// bench/bundle.bench.mjs measures: sizes are deterministic, so the test bundles each entry with
// the same code (bench/bundle-sizes.mjs) from the built packages and compares every cell. A
// change that grows or shrinks a bundle fails here until the guide says the new size
// (`node bench/run.mjs bundle` prints the table). Needs a build, as `npm test` does first.
import { describe, expect, test } from 'vitest';
import { bundleSize, ENTRIES, kb, WHOLE_CORE } from '../../bench/bundle-sizes.mjs';
import { readMarkdown, tables } from './markdown.js';

const plain = (cell: string) => cell.replaceAll('`', '').trim();

/** The guide's share column: one decimal below 1 %, whole percents above. */
const share = (part: number, whole: number) => {
  const percent = (part / whole) * 100;
  return `${percent < 1 ? percent.toFixed(1) : Math.round(percent)} %`;
};

const table = () => {
  const found = tables('docs/performance.md').find((t) => t.header[0] === 'Entry');
  if (found === undefined) throw new Error('docs/performance.md has no bundle-size table');
  return found;
};

describe('bundle sizes in the docs are what the bench measures', () => {
  test('the table has a row for each measured entry, and cites the bench', () => {
    const t = table();
    expect(t.marker).toBe('source: bench/bundle.bench.mjs');
    expect(t.rows.map((r) => plain(r.cells[0] ?? ''))).toEqual(Object.keys(ENTRIES));
  });

  test('every size and share is the measured one', async () => {
    const t = table();
    const whole = await bundleSize(WHOLE_CORE);
    expect(t.header[3]).toBe(
      `Share of all of core (${kb(whole.min)} min, ${kb(whole.gzip)} gz), minified`,
    );
    for (const row of t.rows) {
      const source = ENTRIES[plain(row.cells[0] ?? '')] as string;
      const size = await bundleSize(source);
      expect(row.cells.slice(1), plain(row.cells[0] ?? '')).toEqual([
        kb(size.min),
        kb(size.gzip),
        share(size.min, whole.min),
      ]);
    }
  });

  test("the README's bundler row quotes the same sizes", async () => {
    const readme = readMarkdown('README.md');
    const m = /`MetricEvent` alone (\d+ B) minified; a tiny service ([\d.]+ KB) gzipped/.exec(
      readme,
    );
    expect(m, 'the README states the tree-shaken sizes').not.toBeNull();
    const event = await bundleSize(ENTRIES['MetricEvent alone'] as string);
    const service = await bundleSize(
      ENTRIES['a tiny service: runtime, recorder, counter, histogram, one event'] as string,
    );
    expect([m?.[1], m?.[2]]).toEqual([kb(event.min), kb(service.gzip)]);
  });
});
