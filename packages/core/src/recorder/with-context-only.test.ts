// A recorder whose every listener asks for changes with a context (`withContext: true`) hands an
// event without one to its metrics with no change record: the event still counts as accepted, no
// listener is called and nothing is reported. (The dispatch loop skips the record's part for such
// a change; a loop that read the missing record threw, and the error went to the error handler
// while the metric's own state looked right.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MetricsError } from '../errors/index.js';
import { counter } from '../metrics/index.js';
import { createTestRecorder } from '../testing/index.js';

describe('withContext listeners only, events with and without a context', () => {
  it('accepts every event, calls the listener for those with a context, reports nothing (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 40 }), fc.boolean(), (traced, transient) => {
        const errors: MetricsError[] = [];
        const recorder = createTestRecorder(
          [counter({ name: 'hits', on: 'hit', attributes: (e: { r: string }) => ({ r: e.r }) })],
          { onError: (error) => errors.push(error) },
        );
        let current: object | undefined;
        recorder.setContextCapture(() => current);
        const seen: unknown[] = [];
        recorder.onChange((change) => seen.push(change.context), { transient, withContext: true });
        for (const [i, withContext] of traced.entries()) {
          current = withContext ? { i } : undefined;
          recorder.registerEvent({ type: 'hit', r: i % 2 === 0 ? 'a' : 'b' });
          current = undefined;
        }
        expect(errors).toEqual([]);
        const stats = recorder.stats();
        expect(stats.accepted).toBe(traced.length);
        expect(stats.failed).toBe(0);
        expect(seen).toEqual(traced.flatMap((t, i) => (t ? [{ i }] : [])));
      }),
    );
  });
});
