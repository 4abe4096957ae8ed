import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { resultOf } from '../consumers/support/otel-line.js';
import {
  type ExportSides,
  expectSidesEqual,
  type FixtureRun,
  otlpSides,
  scrapeSide,
} from '../support/views-temporality.js';
import { startOtlpReceiver } from './otlp-receiver.js';

// Issue 21, items 1 and 2, on the root's OpenTelemetry line (sdk-metrics 2.x): one pipeline with
// Views, OTLP (temporality from OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE) and
// Prometheus; the mirrored series (scope `docs`) against sdk-metrics' own instruments fed the
// same measurements (meter `sdk`), the same Views on each. test/consumers runs the same fixture
// on sdk-metrics 3.x.

const fixture = fileURLToPath(
  new URL('../consumers/fixtures/otel/views-temporality.mjs', import.meta.url),
);
const run = promisify(execFile);

async function exportRun(preference: string | undefined): Promise<FixtureRun> {
  const receiver = await startOtlpReceiver();
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, OTEL_TRACES_EXPORTER: 'none' };
    delete env.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE;
    if (preference !== undefined)
      env.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE = preference;
    const { stdout, stderr } = await run(process.execPath, [fixture, receiver.url], { env });
    const { scrapes } = resultOf<{ scrapes: string[] }>(stdout);
    // The fixture's interval exports; shutdown's final export comes after them.
    const bodies = (receiver.bodies.get('/v1/metrics') ?? []).slice(0, scrapes.length);
    return { stderr, scrapes, exports: bodies.map(otlpSides) };
  } finally {
    await receiver.close();
  }
}

const DELTA_STREAMS = ['hits', 'hits.by_route', 'latency', 'temperature'];
const EXPECTED_TEMPORALITY: Record<string, Record<string, string>> = {
  delta: { hits: 'delta', 'hits.by_route': 'delta', latency: 'delta', inflight: 'cumulative' },
  lowmemory: {
    hits: 'delta',
    'hits.by_route': 'delta',
    latency: 'delta',
    inflight: 'cumulative',
  },
  cumulative: {
    hits: 'cumulative',
    'hits.by_route': 'cumulative',
    latency: 'cumulative',
    inflight: 'cumulative',
  },
};

describe('Views and temporality over OTLP and /metrics: mirrored series = sdk-metrics 2.x instruments', () => {
  for (const preference of ['delta', 'lowmemory', 'cumulative']) {
    it(`OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=${preference}: every OTLP export and every scrape equal`, async () => {
      const result = await exportRun(preference);
      expectSidesEqual(result, 4);
      const [first] = result.exports as [ExportSides];
      const temporality = Object.fromEntries(first.docs.map((s) => [s.name, s.temporality]));
      expect(temporality).toMatchObject(EXPECTED_TEMPORALITY[preference] as object);
      // The renamed stream with its description, the overflow series of the limited one.
      expect(first.docs.find((s) => s.name === 'hits')?.description).toBe(
        'requests by route and status',
      );
      const byRoute = first.docs.find((s) => s.name === 'hits.by_route');
      expect(byRoute?.points.map((p) => p.attributes)).toEqual([
        { 'otel.metric.overflow': true },
        { route: '/a' },
        { route: '/b' },
      ]);
    }, 60_000);
  }

  it('delta: an idle interval exports no point of a delta stream, start times run on from the previous export, and the deltas add up to the cumulative /metrics values', async () => {
    const result = await exportRun('delta');
    expectSidesEqual(result, 4);
    const idle = result.exports[2] as ExportSides;
    expect(idle.docs.filter((s) => DELTA_STREAMS.includes(s.name))).toEqual([]);
    expect(idle.docs.map((s) => s.name)).toEqual(['inflight']); // cumulative, still there
    // Delta points start where the reader's previous export ended; cumulative ones do not move.
    for (const side of ['docs', 'sdk'] as const) {
      for (let i = 1; i < result.exports.length; i++) {
        const before = (result.exports[i - 1] as ExportSides).times[side];
        const now = (result.exports[i] as ExportSides).times[side];
        const previousEnd = before[0]?.end as bigint;
        const delta = now.filter((t) => DELTA_STREAMS.includes(t.stream));
        if (i !== 2) expect(delta.length).toBeGreaterThan(0);
        // sdk-metrics starts a series new in the interval at its first measurement, which
        // cumulative state does not know: ours start at the previous export, as continued ones.
        for (const t of delta) {
          if (side === 'docs') expect({ i, start: t.start }).toEqual({ i, start: previousEnd });
          else expect(t.start >= previousEnd).toBe(true);
        }
        // A cumulative stream's start does not move (ours: the mirrored metric's start).
        const firstStart = (result.exports[0] as ExportSides).times.docs.find(
          (x) => x.stream === 'inflight',
        )?.start;
        if (side === 'docs')
          for (const t of now.filter((x) => x.stream === 'inflight'))
            expect(t.start).toBe(firstStart);
      }
    }
    // Sum of the OTLP deltas per series = the last scrape's cumulative value.
    const totals = new Map<string, number>();
    for (const sides of result.exports) {
      for (const point of sides.docs.find((s) => s.name === 'hits')?.points ?? []) {
        const key = `hits_total{route="${point.attributes.route}",status="${point.attributes.status}"}`;
        totals.set(key, (totals.get(key) ?? 0) + (point.value as number));
      }
    }
    const last = scrapeSide(result.scrapes.at(-1) as string, 'docs').filter((l) =>
      l.startsWith('hits_total{'),
    );
    expect(last.length).toBe(totals.size);
    for (const line of last) {
      const [series, value] = line.split(' ') as [string, string];
      expect({ series, value: totals.get(series) }).toEqual({ series, value: Number(value) });
    }
  }, 60_000);
});
