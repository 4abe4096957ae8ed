// The bundle sizes docs/performance.md shows (and the README's bundler row) are the ones
// bench/bundle.bench.mjs measures: sizes are deterministic, so the test bundles each entry with
// the same code (bench/bundle-sizes.mjs) from the built packages and compares every cell, within
// 5 % (a share within 5 points): a change that grows or shrinks a bundle by more fails here until
// the guide says the new size (`node bench/run.mjs bundle` prints the table), while the small
// drift of everyday changes does not turn every branch red. Needs a build, as `npm test` does first.
import { describe, expect, test } from 'vitest';
import { bundleSize, ENTRIES, kb, WHOLE_CORE } from '../../bench/bundle-sizes.mjs';
import { readMarkdown, tables } from './markdown.js';

const plain = (cell: string) => cell.replaceAll('`', '').trim();

const TOLERANCE = 0.05;

/** Bytes of a size as the guide writes it (`40 B`, `61.6 KB`). */
function bytesOf(text: string): number {
  const m = /^([\d.]+) (B|KB)$/.exec(text.trim());
  if (m === null) throw new Error(`not a size: ${text}`);
  return Number(m[1]) * (m[2] === 'KB' ? 1024 : 1);
}

/** The written size is the measured one, as rounded for print or within the tolerance. */
function expectSize(written: string, measured: number, what: string): void {
  if (written === kb(measured)) return;
  const off = Math.abs(bytesOf(written) - measured) / measured;
  expect(off, `${what}: ${written} written, ${kb(measured)} measured`).toBeLessThanOrEqual(
    TOLERANCE,
  );
}

/** The guide's share column (`0.1 %`, `81 %`) within 5 points of the measured share. */
function expectShare(written: string, part: number, whole: number, what: string): void {
  const percent = Number(/^([\d.]+) %$/.exec(written.trim())?.[1]);
  expect(Math.abs(percent - (part / whole) * 100), `${what}: share ${written}`).toBeLessThanOrEqual(
    5,
  );
}

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
    const header = /^Share of all of core \(([\d.]+ K?B) min, ([\d.]+ K?B) gz\), minified$/.exec(
      t.header[3] ?? '',
    );
    expect(header, 'the share column names the size of all of core').not.toBeNull();
    expectSize(header?.[1] as string, whole.min, 'all of core, minified');
    expectSize(header?.[2] as string, whole.gzip, 'all of core, gzipped');
    for (const row of t.rows) {
      const name = plain(row.cells[0] ?? '');
      const size = await bundleSize(ENTRIES[name] as string);
      expectSize(row.cells[1] ?? '', size.min, `${name}, minified`);
      expectSize(row.cells[2] ?? '', size.gzip, `${name}, gzipped`);
      expectShare(row.cells[3] ?? '', size.min, whole.min, name);
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
    expectSize(m?.[1] as string, event.min, 'MetricEvent alone, minified');
    expectSize(m?.[2] as string, service.gzip, 'a tiny service, gzipped');
  });
});
