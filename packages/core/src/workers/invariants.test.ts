import fc from 'fast-check';
import { expect, test } from 'vitest';
import type { Metric } from '../metrics/types.js';
import { MetricsRuntime } from '../runtime/index.js';
import { connectRecorder } from './connect-recorder.js';

type Op = 'event' | 'uncloneable' | 'not-an-object' | 'turn' | 'flush';

const op = fc.constantFrom<Op>(
  'event',
  'event',
  'event',
  'event',
  'uncloneable',
  'not-an-object',
  'turn',
  'flush',
);

test('counts balance on both sides and order is kept, whatever the producer does', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        maxPendingEvents: fc.integer({ min: 1, max: 40 }),
        batchSize: fc.integer({ min: 1, max: 16 }),
        overflow: fc.constantFrom('drop-newest' as const, 'drop-oldest' as const),
      }),
      fc.array(op, { maxLength: 200 }),
      async (options, ops) => {
        const runtime = new MetricsRuntime({ namespace: 'prop', onError: () => {} });
        runtime.start();
        const seen: number[] = [];
        const seq: Metric = {
          name: 'seq',
          handleEvent: (e) => {
            seen.push((e as { seq: number }).seq);
            return true;
          },
          snapshot: () => ({ name: 'seq', kind: 'sequence', points: [] }),
        };
        const recorder = runtime.createRecorder('r', { metrics: [seq] });
        const exposed = runtime.exposeRecorder('r');
        const remote = connectRecorder(exposed.handle(options), { onError: () => {} });
        let next = 0;
        let valid = 0;
        let uncloneable = 0;
        let notObjects = 0;
        const check = () => {
          const w = remote.stats();
          expect(w.registered).toBe(w.sent + w.dropped + w.uncloneable + w.lost + w.pending);
          const e = exposed.stats();
          expect(e.registered).toBe(e.received + e.dropped + e.uncloneable + e.inFlight + e.lost);
          expect(e.registered).toBe(w.registered);
          expect(e.dropped).toBe(w.dropped);
          expect(w.pending + w.inFlight).toBeLessThanOrEqual(options.maxPendingEvents);
        };
        for (const o of ops) {
          if (o === 'event') {
            remote.registerEvent({ seq: next++ });
            valid++;
          } else if (o === 'uncloneable') {
            remote.registerEvent({ seq: next++, f: () => 0 });
            uncloneable++;
          } else if (o === 'not-an-object') {
            remote.registerEvent(undefined as unknown as object);
            notObjects++;
          } else if (o === 'turn') {
            await new Promise((resolve) => setImmediate(resolve));
          } else {
            await remote.flush();
          }
          check();
        }
        await remote.flush();
        check();
        const e = exposed.stats();
        expect(e.registered).toBe(valid + uncloneable);
        expect(e.rejected).toBe(notObjects);
        expect(e.inFlight).toBe(0);
        // Only a full buffer can make an event disappear, and then it is counted.
        expect(e.received).toBe(e.registered - e.dropped - e.uncloneable);
        expect(e.uncloneable).toBeLessThanOrEqual(uncloneable);
        if (e.dropped === 0) expect(e.uncloneable).toBe(uncloneable);
        expect(seen).toHaveLength(e.received);
        for (let i = 1; i < seen.length; i++) {
          expect(seen[i] as number).toBeGreaterThan(seen[i - 1] as number);
        }
        expect(recorder.stats()).toMatchObject({ registered: e.received, processed: e.received });
        await runtime.shutdown();
      },
    ),
    { numRuns: 60 },
  );
});
