import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { BoundedQueue } from './bounded-queue.js';
import { OVERFLOW_STRATEGIES } from './overflow.js';

// The elements kind of the queue's rings, asked of V8 itself (a natives-syntax intrinsic). A ring
// that starts as an array of small integers (`new Array(n)`) becomes an array of objects with its
// first event; the registerEvent V8 optimized on other rings then meets another map ("wrong map"),
// is thrown away and compiled again: a new recorder's first events cost several times more (seen
// with --trace-deopt in a fresh cluster worker). Its own file, and checked before any event is
// stored: V8 also learns an allocation site's kind from the arrays it made, which would hide a
// regression in a file whose earlier tests stored events.

function hasObjectElements(array: unknown[]): boolean {
  setFlagsFromString('--allow-natives-syntax');
  return (new Function('a', 'return %HasObjectElements(a)') as (a: unknown[]) => boolean)(array);
}

describe('BoundedQueue rings', () => {
  it('start with the elements kind a ring of events has: a new queue, its contexts, a shrunk one', () => {
    const q = new BoundedQueue({
      capacity: 1 << 16,
      overflow: OVERFLOW_STRATEGIES['drop-newest'],
      onDrop: () => {},
    });
    expect(hasObjectElements(q.items)).toBe(true);
    q.keepContexts();
    expect(hasObjectElements(q.contexts as unknown[])).toBe(true);
    for (let id = 0; id < 10_000; id++) {
      if (q.size >= q.room) q.makeRoom();
      q.push({ id });
    }
    q.takeAll();
    q.shrink();
    expect(hasObjectElements(q.items)).toBe(true);
    expect(hasObjectElements(q.contexts as unknown[])).toBe(true);
  });
});
