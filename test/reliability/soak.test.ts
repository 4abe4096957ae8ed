import { beforeAll, describe, expect, it } from 'vitest';
import { findBinary } from '../support/prometheus.js';
import { ensureBuilt, repoRoot, resultOf, runNode } from './support/child.js';

interface SoakResult {
  seconds: number;
  events: number;
  ratePerSec: number;
  totals: { registered: number; processed: number; dropped: number; pending: number };
  lostOutsideCountedDrops: number;
  invariantHolds: boolean;
  coreRequests: number;
  exportedRequests: number;
  coreLatencyCount: number;
  exportedLatencyCount: number;
  prometheus?: {
    requests: number;
    latencyCount: number;
    up: number;
    scrapes: number;
    failedScrapes: number;
  };
  heapMB: { start: number; end: number; peak: number; growth: number };
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

// Duration only: MVX_SOAK_SECONDS shortens or lengthens the run, never the assertions.
// biome-ignore lint/suspicious/noUndeclaredEnvVars: read by the soak only, not by a turbo task
const SECONDS = Number(process.env.MVX_SOAK_SECONDS ?? 20);
const prometheus = findBinary('prometheus');

describe(`soak: highest sustained rate for ${SECONDS} s with Prometheus scraping every second`, () => {
  beforeAll(() => ensureBuilt('packages/otel-bridge'));

  it(
    'keeps heap flat, loses nothing outside counted drops, and exports exactly the core totals',
    async () => {
      const run = await runNode(`${repoRoot}/bench/soak.mjs`, [], {
        nodeArgs: ['--expose-gc'],
        env: { MVX_SOAK_SECONDS: String(SECONDS) },
        timeoutMs: SECONDS * 1000 + 90_000,
      });
      expect(run.code, run.stderr).toBe(0);
      console.log(
        run.stdout
          .split('\n')
          .filter((line) => !line.startsWith('{'))
          .join('\n'),
      );
      const r = resultOf<SoakResult>(run);
      expect(r.seconds).toBeGreaterThanOrEqual(SECONDS);
      expect(r.ratePerSec).toBeGreaterThan(0);
      // nothing lost outside the counted drops; the invariant holds per recorder
      expect(r.lostOutsideCountedDrops).toBe(0);
      expect(r.invariantHolds).toBe(true);
      expect(r.totals.registered).toBe(r.events);
      expect(r.totals.pending).toBe(0);
      // every processed event is in core state, and what /metrics exports equals core
      expect(r.coreRequests).toBe(r.totals.processed);
      expect(r.exportedRequests).toBe(r.coreRequests);
      expect(r.exportedLatencyCount).toBe(r.coreLatencyCount);
      // heap flat: no growth beyond noise between the first and last third, peak bounded
      expect(r.heapMB.growth).toBeLessThan(4);
      expect(r.heapMB.peak - r.heapMB.start).toBeLessThan(32);
      if (prometheus !== undefined) {
        const p = r.prometheus;
        expect(p).toBeDefined();
        // Prometheus' own TSDB holds the same totals, scraped every second without a failure
        expect(p?.requests).toBe(r.coreRequests);
        expect(p?.latencyCount).toBe(r.coreLatencyCount);
        expect(p?.up).toBe(1);
        expect(p?.failedScrapes).toBe(0);
        expect(p?.scrapes).toBeGreaterThanOrEqual(Math.floor(SECONDS * 0.7));
      }
    },
    SECONDS * 1000 + 120_000,
  );
});
