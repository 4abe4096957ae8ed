import { describe, expect, it } from 'vitest';
import { roomFor } from './burst-room.js';

/** A recorder of `capacity` with `pending` events; processing leaves `left` of them. */
function recorder(state: string, pending: number, capacity: number, left = 0) {
  const r = {
    state,
    processed: 0,
    pendingNow: pending,
    stats: () => ({ pending: r.pendingNow, capacity }),
    processPending() {
      r.processed++;
      r.pendingNow = left;
    },
  };
  return r;
}

describe('roomFor', () => {
  it('answers the free room without processing when the burst fits, up to exactly full', () => {
    for (const [pending, wanted] of [
      [0, 1],
      [3, 7],
      [3, 2],
      [10, 0],
    ] as const) {
      const r = recorder('running', pending, 10);
      expect(roomFor(r, wanted)).toBe(10 - pending);
      expect(r.processed).toBe(0);
    }
  });

  it('processes what is pending when the burst would not fit, then answers the room left', () => {
    const r = recorder('running', 8, 10, 1);
    expect(roomFor(r, 3)).toBe(9);
    expect(r.processed).toBe(1);
    const larger = recorder('running', 2, 10, 0);
    expect(roomFor(larger, 500)).toBe(10);
  });

  it('answers Infinity when processing frees nothing (called during processing), or the recorder is not running', () => {
    const stuck = recorder('running', 10, 10, 10);
    expect(roomFor(stuck, 1)).toBe(Number.POSITIVE_INFINITY);
    for (const state of ['created', 'stopping', 'stopped']) {
      const r = recorder(state, 10, 10, 0);
      expect(roomFor(r, 1)).toBe(Number.POSITIVE_INFINITY);
      expect(r.processed).toBe(0);
    }
  });
});
