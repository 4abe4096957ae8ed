// `type` strings that carry an id, on a recorder where some metric selects by `type`: the
// dispatch index keeps lists only for the types some metric selects, so its memory does not grow
// with the ids (an id per request must not grow the heap for the life of the process). Survivor
// dispatch-index.ts 239:11 of core recorder (docs/reliability.md).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { counter } from '../metrics/index.js';
import { createTestRecorder, pointValue } from '../testing/index.js';

function fullGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function heapAfterGc(): number {
  fullGc();
  fullGc();
  return process.memoryUsage().heapUsed;
}

describe('dispatch index, `type` strings that carry an id', () => {
  it('keeps no list per unselected type: 100 000 distinct ids leave the heap where it was (< 2 MB)', () => {
    // More metrics than the index asks all of at once, on several types: every event is looked up.
    const recorder = createTestRecorder([
      counter({ name: 'paid', on: 'order.paid' }),
      ...Array.from({ length: 8 }, (_, i) => counter({ name: `other.${i}`, on: `other.${i}` })),
      counter({ name: 'all', on: () => true }),
    ]);
    const N = 100_000;
    // Warm up the recorder's own buffers and the index's entry for plain objects.
    for (let i = 0; i < 1_000; i++) recorder.registerEvent({ type: `warm.${i}` });
    const before = heapAfterGc();
    for (let i = 0; i < N; i++) recorder.registerEvent({ type: `order.${i}.paid` });
    recorder.registerEvent({ type: 'order.paid' });
    const grown = heapAfterGc() - before;
    expect(pointValue(recorder, 'paid')).toBe(1);
    expect(pointValue(recorder, 'all')).toBe(N + 1_001);
    // A list kept per id costs ~100 B each (~10 MB here).
    expect(grown).toBeLessThan(2 * 1024 * 1024);
  });
});
