import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { BatchEncoder } from '../events/batch-encoder.js';
import { connectOver } from './connect-to-primary.js';
import type { IpcChannel } from './protocol.js';

// A new encoder (one per recorder a worker connects) and a new worker recorder start with arrays
// of the elements kinds they keep, asked of V8 itself (a natives-syntax intrinsic): grown from
// empty, the first batch of a new recorder sent the code an earlier one warmed up back to the
// interpreter ("out of bounds", "wrong map" with --trace-deopt) and V8 compiled it again, which
// made a fresh worker's first ~30 k events cost several times the later ones. Its own file, and
// checked before any batch: V8 also learns an allocation site's kind from the arrays it made.

function kinds(): {
  objects: (a: unknown[]) => boolean;
  smis: (a: unknown[]) => boolean;
  holey: (a: unknown[]) => boolean;
} {
  setFlagsFromString('--allow-natives-syntax');
  return {
    objects: new Function('a', 'return %HasObjectElements(a)') as (a: unknown[]) => boolean,
    smis: new Function('a', 'return %HasSmiElements(a)') as (a: unknown[]) => boolean,
    holey: new Function('a', 'return %HasHoleyElements(a)') as (a: unknown[]) => boolean,
  };
}

describe('a fresh cluster encoder and worker recorder', () => {
  it('have per-key slots and a flush list of their final elements kinds before the first batch', () => {
    const { objects, smis } = kinds();
    const encoder = new BatchEncoder() as unknown as Record<
      'keys' | 'codes' | 'lastString' | 'lastIndex',
      unknown[]
    >;
    expect(objects(encoder.keys)).toBe(true);
    expect(objects(encoder.lastString)).toBe(true);
    expect(smis(encoder.codes)).toBe(true);
    expect(smis(encoder.lastIndex)).toBe(true);
    // in bounds for the first keys: none of them is read or written past the end
    for (const slots of Object.values(encoder)) {
      if (Array.isArray(slots)) expect(slots.length).toBeGreaterThanOrEqual(16);
    }
    const channel = { send: () => true, on: () => {}, off: () => {}, connected: true };
    const recorder = connectOver(channel as IpcChannel, 'r') as unknown as { flushes: unknown[] };
    expect(recorder.flushes).toHaveLength(0);
    expect(objects(recorder.flushes)).toBe(true);
  });

  it('write a packed values column: a holey one is read the slow way by JSON.stringify and the structured clone', () => {
    const { holey } = kinds();
    const encoder = new BatchEncoder();
    expect(holey((encoder as unknown as { values: unknown[] }).values)).toBe(false);
    const events = [{ type: 'a', n: 1 }, [1], { type: 'b', ok: true, x: null, d: 0.5 }];
    for (let round = 0; round < 3; round++) {
      const { v } = encoder.encode(events.slice(round));
      expect(holey(v)).toBe(false);
    }
    expect(holey((encoder as unknown as { values: unknown[] }).values)).toBe(false);
  });
});
