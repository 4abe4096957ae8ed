// A built-in metric's lookup memo keeps raw attribute values as keys. A string over the attribute
// length (1 024 UTF-16 units) is cut for the point, so ever new over-long values land on one
// series; each used to be kept whole in the memo, up to cardinalityLimit × 8 of them per metric
// (3 000 events of 64 KB values on one series: 200 MB retained). The heap must now stay bounded by
// the series, whatever the length of the values.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { counter } from '@mvx-metrics/core';
import { createTestRecorder } from '@mvx-metrics/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

function retainedHeap(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const EVENTS = 3_000;
// Before the fix the smallest case here kept 3 000 × 2 KB = 6 MB; the series themselves take a
// few KB. The allowance is far from both.
const ALLOWED_BYTES = 2 * 1024 * 1024;

describe('attribute memory', () => {
  it('stays bounded by the series when every event brings a new over-long attribute value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2_048, max: 16_384 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom('name', 'value', 'both'),
        (length, series, where) => {
          const requests = counter({
            name: 'requests',
            on: 'request',
            attributes: (e: { path: string; s: number }) =>
              where === 'value'
                ? { path: e.path, series: e.s }
                : where === 'name'
                  ? { [e.path]: e.s }
                  : { [e.path]: e.path, series: e.s },
          });
          const recorder = createTestRecorder([requests]);
          const prefixes = Array.from({ length: series }, (_, s) => `${s}`.repeat(1_024));
          const before = retainedHeap();
          for (let i = 0; i < EVENTS; i++) {
            const s = i % series;
            // distinct after the first 1 024 units: the same series for every event of `s`
            const path = `${prefixes[s]}${i}${'x'.repeat(length)}`;
            recorder.registerEvent({ type: 'request', path, s });
          }
          const grown = retainedHeap() - before;
          const points = requests.snapshot().points;
          expect(points).toHaveLength(series);
          expect(points.reduce((sum, point) => sum + (point as { value: number }).value, 0)).toBe(
            EVENTS,
          );
          expect(grown).toBeLessThan(ALLOWED_BYTES);
        },
      ),
      { numRuns: 6 },
    );
  });
});
