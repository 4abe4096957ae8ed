import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, fixture, resultOf, runNode } from './support/child.js';

interface RecorderStats {
  registered: number;
  processed: number;
  dropped: number;
  pending: number;
}
interface OverloadResult {
  seconds: number;
  capacity: number;
  overflow: string;
  overloadRatio: number;
  registerRatePerSec: number;
  processRatePerSec: number;
  pendingPeak: number;
  heapBaselineMB: number;
  heapPeakMB: number;
  heapEndMB: number;
  loopDelayP99Ms: number;
  reportedFull: number;
  invariantBroken: number;
  duplicates: number;
  orderViolations: number;
  lostUncounted: number;
  bothDroppedAndDelivered: number;
  deliveredCount: number;
  droppedCount: number;
  recovery: { sent: number; delivered: number; droppedDuring: number };
  final: RecorderStats;
}

const SECONDS = '10';
const CAPACITY = 65_536;
// The fixture's own bound (it is SIGKILLed then, and the test says so); the test's timeout is
// beyond it, so that a loaded machine (12 s quiet, over 30 s in a busy CI run) never meets
// vitest's default 30 s first.
const CHILD_LIMIT_MS = Number(SECONDS) * 1000 + 30_000;

describe.concurrent(`overload: producers outpace processing ~10× for ${SECONDS} s`, () => {
  beforeAll(() => ensureBuilt());

  it.each(['drop-newest', 'drop-oldest'])(
    'caps pending and heap, counts every drop exactly and recovers after the burst (%s)',
    async (overflow) => {
      const run = await runNode(
        fixture('overload.mjs'),
        [SECONDS, '10', String(CAPACITY), overflow],
        { nodeArgs: ['--expose-gc'], timeoutMs: CHILD_LIMIT_MS },
      );
      expect(run.code, run.stderr).toBe(0);
      const r = resultOf<OverloadResult>(run);
      console.log(
        `[reliability] overload ${overflow} ${r.seconds}s: register ${r.registerRatePerSec}/s vs process ${r.processRatePerSec}/s (×${r.overloadRatio}), pending peak ${r.pendingPeak}/${r.capacity}, heap baseline/peak/end ${r.heapBaselineMB}/${r.heapPeakMB}/${r.heapEndMB} MB, dropped ${r.final.dropped}, lost uncounted ${r.lostUncounted}, event-loop p99 ${r.loopDelayP99Ms} ms`,
      );
      // the harness really overloaded the recorder
      expect(r.overloadRatio).toBeGreaterThanOrEqual(5);
      expect(r.pendingPeak).toBe(CAPACITY);
      // per id: processed exactly once, in order, or counted as dropped, never both, never neither;
      // the invariant held after every single registerEvent
      expect(r.invariantBroken).toBe(0);
      expect(r.duplicates).toBe(0);
      expect(r.orderViolations).toBe(0);
      expect(r.lostUncounted).toBe(0);
      expect(r.bothDroppedAndDelivered).toBe(0);
      expect(r.deliveredCount).toBe(r.final.processed);
      expect(r.droppedCount).toBe(r.final.dropped);
      expect(r.final.dropped).toBeGreaterThan(0);
      expect(r.final.registered).toBe(r.final.processed + r.final.dropped);
      expect(r.final.pending).toBe(0);
      expect(r.reportedFull).toBe(1);
      // memory is capped by maxPendingEvents (~100 B per pending event here) and given back
      expect(r.heapPeakMB - r.heapBaselineMB).toBeLessThan((CAPACITY * 200) / 2 ** 20);
      expect(r.heapEndMB - r.heapBaselineMB).toBeLessThan(2);
      // processing recovers: a stream below capacity after the burst arrives in full
      expect(r.recovery).toEqual({ sent: 5000, delivered: 5000, droppedDuring: 0 });
    },
    CHILD_LIMIT_MS + 20_000,
  );
});
