import type {
  HistogramPoint,
  MetricSnapshot,
  MetricsRecorder,
  NumberPoint,
  RecorderStats,
} from '@mvx-metrics/core';
import { HTTP_METRICS } from '../metrics/http-metrics.js';
import { STORAGE_METRICS } from '../metrics/storage-metrics.js';
import type { SaveOutcome } from '../storage/events.js';
import { bucketQuantile } from './quantile.js';

/** What the view reads from a recorder. */
export type RecorderView = Pick<MetricsRecorder, 'name' | 'getMetricSnapshots' | 'stats'>;

/** Everything one frame of the live view shows. */
export interface ViewModel {
  /** Seconds covered by the rates and percentiles (0 until two samples exist). */
  windowSeconds: number;
  requests: { total: number; perSecond: number; perSecondByMethod: Record<string, number> };
  saves: { totals: Record<SaveOutcome, number>; perSecond: number };
  /** Save latency percentiles in seconds over the window (cumulative until the window has data). */
  latency:
    | { p50: number; p90: number; p99: number; count: number; sinceStart: boolean }
    | undefined;
  documents: number;
  bytes: number;
  recorders: { alive: number; connections: number };
  /** The per-connection recorders alive now, oldest first, with the requests each has counted. */
  scopes: { name: string; requests: number }[];
  /** Summed over the recorders alive now. */
  pipeline: Pick<RecorderStats, 'processed' | 'pending' | 'dropped' | 'failed'>;
}

/** Recorder names the view reads; connection scopes are recognised by prefix. */
export interface ViewSources {
  storage: string;
  http: string;
  connectionPrefix: string;
}

interface Sample {
  at: number;
  requests: number;
  byMethod: Record<string, number>;
  saves: number;
  durationCounts: number[];
  boundaries: number[];
}

/**
 * Turns recorder snapshots into view frames: totals, and rates and percentiles over a sliding
 * window of samples (one per `sample()` call).
 */
export class ViewSampler {
  readonly #recorders: () => readonly RecorderView[];
  readonly #sources: ViewSources;
  readonly #windowMs: number;
  readonly #clock: () => number;
  #samples: Sample[] = [];

  constructor(
    recorders: () => readonly RecorderView[],
    sources: ViewSources,
    options: { windowSeconds?: number; clock?: () => number } = {},
  ) {
    this.#recorders = recorders;
    this.#sources = sources;
    this.#windowMs = (options.windowSeconds ?? 10) * 1000;
    this.#clock = options.clock ?? (() => performance.now());
  }

  /** Reads the recorders now and returns the frame. */
  sample(): ViewModel {
    const recorders = this.#recorders();
    const storage = recorders.find((r) => r.name === this.#sources.storage)?.getMetricSnapshots();
    const http = recorders.find((r) => r.name === this.#sources.http)?.getMetricSnapshots();
    const now = this.#clock();

    const byMethod: Record<string, number> = {};
    let requests = 0;
    for (const point of histogramPoints(http, HTTP_METRICS.requestDuration)) {
      const method = String(point.attributes['http.request.method']);
      byMethod[method] = (byMethod[method] ?? 0) + point.count;
      requests += point.count;
    }
    const totals: Record<SaveOutcome, number> = { success: 0, invalid: 0, failure: 0 };
    for (const point of numberPoints(storage, STORAGE_METRICS.saveAttempts)) {
      const outcome = point.attributes.outcome as SaveOutcome;
      if (outcome in totals) totals[outcome] += point.value;
    }
    const durations = histogramPoints(storage, STORAGE_METRICS.saveDuration);
    const boundaries = durations[0]?.boundaries ?? [];
    const durationCounts = new Array<number>(boundaries.length + 1).fill(0);
    for (const point of durations) {
      point.bucketCounts.forEach((count, i) => {
        durationCounts[i] = (durationCounts[i] ?? 0) + count;
      });
    }
    const saves = totals.success + totals.invalid + totals.failure;
    const current: Sample = { at: now, requests, byMethod, saves, durationCounts, boundaries };
    this.#samples.push(current);
    while ((this.#samples[0] as Sample).at < now - this.#windowMs) this.#samples.shift();
    const oldest = this.#samples[0] as Sample;
    const seconds = (now - oldest.at) / 1000;
    const rate = (a: number, b: number) => (seconds > 0 ? Math.max(0, a - b) / seconds : 0);

    const perSecondByMethod: Record<string, number> = {};
    for (const [method, count] of Object.entries(byMethod)) {
      perSecondByMethod[method] = rate(count, oldest.byMethod[method] ?? 0);
    }
    const windowCounts = durationCounts.map((c, i) =>
      Math.max(0, c - (oldest.durationCounts[i] ?? 0)),
    );
    const inWindow = windowCounts.reduce((a, b) => a + b, 0);
    const counts = inWindow > 0 ? windowCounts : durationCounts;
    const count = counts.reduce((a, b) => a + b, 0);
    const latency =
      count === 0
        ? undefined
        : {
            p50: bucketQuantile(0.5, boundaries, counts) ?? 0,
            p90: bucketQuantile(0.9, boundaries, counts) ?? 0,
            p99: bucketQuantile(0.99, boundaries, counts) ?? 0,
            count,
            sinceStart: inWindow === 0,
          };

    const pipeline = { processed: 0, pending: 0, dropped: 0, failed: 0 };
    for (const recorder of recorders) {
      const stats = recorder.stats();
      pipeline.processed += stats.processed;
      pipeline.pending += stats.pending;
      pipeline.dropped += stats.dropped;
      pipeline.failed += stats.failed;
    }
    const prefix = this.#sources.connectionPrefix;
    const scopes = recorders
      .filter((r) => r.name.startsWith(prefix))
      .map((r) => ({
        name: r.name,
        requests: numberPoints(r.getMetricSnapshots(), HTTP_METRICS.connectionRequests).reduce(
          (sum, point) => sum + point.value,
          0,
        ),
      }));
    return {
      windowSeconds: seconds,
      requests: { total: requests, perSecond: rate(requests, oldest.requests), perSecondByMethod },
      saves: { totals, perSecond: rate(saves, oldest.saves) },
      latency,
      documents: numberPoints(storage, STORAGE_METRICS.documentsStored)[0]?.value ?? 0,
      bytes: numberPoints(storage, STORAGE_METRICS.bytesStored)[0]?.value ?? 0,
      recorders: {
        alive: recorders.length,
        connections: scopes.length,
      },
      scopes,
      pipeline,
    };
  }
}

function numberPoints(snapshots: MetricSnapshot[] | undefined, name: string): NumberPoint[] {
  return (snapshots?.find((s) => s.name === name)?.points ?? []) as NumberPoint[];
}

function histogramPoints(snapshots: MetricSnapshot[] | undefined, name: string): HistogramPoint[] {
  return (snapshots?.find((s) => s.name === name)?.points ?? []) as HistogramPoint[];
}
