import { describe, expect, it } from 'vitest';
import { upDownCounter } from '../metrics/index.js';
import { createTestRecorder } from '../testing/index.js';

describe('initial points of a metric without attributes', () => {
  it('keeps exactly one point when initial lists the empty attribute set', () => {
    const open = upDownCounter({
      name: 'open',
      on: 'open',
      value: (e: { d: number }) => e.d,
      initial: [{}],
    });
    const recorder = createTestRecorder([open]);
    expect(open.snapshot().points).toEqual([{ attributes: {}, value: 0 }]);
    recorder.registerEvent({ type: 'open', d: 2 });
    expect(open.snapshot().points).toEqual([{ attributes: {}, value: 2 }]);
  });
});
