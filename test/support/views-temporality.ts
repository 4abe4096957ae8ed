import { expect } from 'vitest';
import { attributesOf } from '../bridge/otlp-receiver.js';

// Reads what the views-temporality fixture exported (test/consumers/fixtures/otel/): the decoded
// OTLP bodies and the /metrics scrapes, split into the mirrored side (scope/prefix `docs`) and
// sdk-metrics' own instruments (`sdk`), names without their prefix, so the two compare equal.

// biome-ignore lint/suspicious/noExplicitAny: decoded OTLP JSON
type Json = any;

/** One exported stream of one side, in a comparable shape. */
export interface Stream {
  name: string;
  description: string;
  shape: string;
  temporality: string | undefined;
  monotonic: boolean | undefined;
  points: Array<{ attributes: Record<string, unknown>; value: unknown }>;
}

/** One OTLP export of both sides, and each side's point times. */
export interface ExportSides {
  docs: Stream[];
  sdk: Stream[];
  /** Per side: the stream, `startTimeUnixNano` and `timeUnixNano` of every point. */
  times: { docs: PointTime[]; sdk: PointTime[] };
}

/** Where one point's interval starts and ends. */
export interface PointTime {
  stream: string;
  start: bigint;
  end: bigint;
}

const TEMPORALITY: Record<string, string> = {
  '1': 'delta',
  '2': 'cumulative',
  AGGREGATION_TEMPORALITY_DELTA: 'delta',
  AGGREGATION_TEMPORALITY_CUMULATIVE: 'cumulative',
};

/** The streams of one decoded OTLP metrics body, by side. */
export function otlpSides(body: Json): ExportSides {
  const out: ExportSides = { docs: [], sdk: [], times: { docs: [], sdk: [] } };
  for (const rm of body.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      const side = sm.scope?.name as 'docs' | 'sdk';
      if (side !== 'docs' && side !== 'sdk') continue;
      for (const metric of sm.metrics ?? []) {
        const shape = ['sum', 'gauge', 'histogram', 'exponentialHistogram'].find(
          (key) => metric[key] !== undefined,
        ) as string;
        const data = metric[shape];
        const stream = String(metric.name).replace(/^(docs|sdk)\./, '');
        const points = (data.dataPoints ?? []).map((p: Json) => {
          const start = BigInt(p.startTimeUnixNano);
          out.times[side].push({ stream, start, end: BigInt(p.timeUnixNano) });
          return { attributes: attributesOf(p.attributes), value: pointValue(shape, p) };
        });
        out[side].push({
          name: stream,
          description: metric.description ?? '',
          shape,
          temporality:
            data.aggregationTemporality === undefined
              ? undefined
              : TEMPORALITY[String(data.aggregationTemporality)],
          monotonic: shape === 'sum' ? Boolean(data.isMonotonic) : undefined,
          points: sortPoints(points),
        });
      }
    }
  }
  out.docs.sort(byName);
  out.sdk.sort(byName);
  return out;
}

function pointValue(shape: string, p: Json): unknown {
  if (shape === 'histogram') {
    return {
      count: Number(p.count),
      sum: p.sum,
      bucketCounts: (p.bucketCounts ?? []).map(Number),
      explicitBounds: p.explicitBounds ?? [],
      ...(p.min === undefined ? {} : { min: p.min }),
      ...(p.max === undefined ? {} : { max: p.max }),
    };
  }
  return Number(p.asDouble ?? p.asInt ?? 0);
}

/** The samples of one side in a /metrics text (names without prefix), sorted; no scope labels. */
export function scrapeSide(text: string, side: 'docs' | 'sdk'): string[] {
  return text
    .split('\n')
    .filter(
      (line) =>
        line.startsWith(`${side}_`) ||
        line.startsWith(`# HELP ${side}_`) ||
        line.startsWith(`# TYPE ${side}_`),
    )
    .map((line) =>
      line
        .replace(`${side}_`, '')
        .replace(/otel_scope_[a-z_]+="[^"]*",?/g, '')
        .replace(/\{\}/, '')
        .replace(/,\}/, '}'),
    )
    .sort();
}

function sortPoints<T extends { attributes: Record<string, unknown> }>(points: T[]): T[] {
  return points.sort((a, b) => {
    const x = JSON.stringify(Object.entries(a.attributes).sort());
    const y = JSON.stringify(Object.entries(b.attributes).sort());
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

function byName(a: Stream, b: Stream): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * sdk-metrics' streams with the min and max of a delta histogram point left out where ours has
 * none: the interval's min and max are not in cumulative state (a series' first interval, whose
 * value is its cumulative one, has them, and they must be equal).
 */
export function minMaxAsOurs(sdk: Stream[], docs: Stream[]): Stream[] {
  return sdk.map((s) => {
    const ours = docs.find((d) => d.name === s.name);
    if (s.shape !== 'histogram' || s.temporality !== 'delta' || ours === undefined) return s;
    return {
      ...s,
      points: s.points.map((p, i) => {
        const mine = ours.points[i]?.value as Record<string, unknown> | undefined;
        if (mine === undefined || 'min' in mine) return p;
        const { min: _min, max: _max, ...value } = p.value as Record<string, unknown>;
        return { ...p, value };
      }),
    };
  });
}

/** One run of the fixture: its stderr, its scrapes, its interval exports by side. */
export interface FixtureRun {
  stderr: string;
  scrapes: string[];
  exports: ExportSides[];
}

/** What every run must show: each export and each scrape equal on both sides. */
export function expectSidesEqual(result: FixtureRun, intervals: number): void {
  expect(result.stderr).toBe('');
  expect(result.exports).toHaveLength(intervals);
  for (const [i, sides] of result.exports.entries()) {
    expect({ export: i, streams: sides.docs }).toEqual({
      export: i,
      streams: minMaxAsOurs(sides.sdk, sides.docs),
    });
    expect(sides.docs.map((s) => s.name)).not.toContain('dropped');
  }
  for (const [i, text] of result.scrapes.entries()) {
    const docs = scrapeSide(text, 'docs');
    expect(docs.length).toBeGreaterThan(10);
    expect({ scrape: i, samples: docs }).toEqual({ scrape: i, samples: scrapeSide(text, 'sdk') });
  }
}
