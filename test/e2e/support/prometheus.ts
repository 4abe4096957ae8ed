import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from '../../support/prometheus.js';
import { answers, freePort, type Started, start, waitFor } from './processes.js';

// Shared with the reliability suite: finds the binary, fails under CI=true when it is missing,
// otherwise warns once with the apt-get hint and lets the tests skip.
const prometheusBin = findBinary('prometheus');
const promtoolBin = findBinary('promtool');

/** Whether `prometheus` and `promtool` are both here (always true under CI=true: else it throws). */
export const prometheusAvailable = prometheusBin !== undefined && promtoolBin !== undefined;

/** The `promtool` binary; only called when {@link prometheusAvailable}. */
export function promtool(): string {
  return promtoolBin as string;
}

/** One sample of an instant query. */
export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
  /** Instead of `value` for a native histogram: `[boundary rule, lower, upper, count]` buckets. */
  histogram?: [
    number,
    { count: string; sum: string; buckets?: [number, string, string, string][] },
  ];
}

/** One series of an exemplar query and the exemplars Prometheus stored for it. */
export interface ExemplarSeries {
  seriesLabels: Record<string, string>;
  exemplars: Array<{ labels: Record<string, string>; value: string; timestamp: number }>;
}

/** A Prometheus on loopback with a temporary config and data dir, scraping `targets` every second. */
export class TestPrometheus {
  readonly url: string;
  private constructor(
    readonly proc: Started,
    private readonly dir: string,
    port: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** `features`: Prometheus `--enable-feature` flags, e.g. `exemplar-storage`. */
  static async start(targets: string[], features: string[] = []): Promise<TestPrometheus> {
    const dir = mkdtempSync(join(tmpdir(), 'mvx-e2e-prometheus-'));
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        'scrape_configs:',
        '  - job_name: document-storage',
        '    static_configs:',
        `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    const proc = start('prometheus', prometheusBin as string, [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
      ...features.map((feature) => `--enable-feature=${feature}`),
    ]);
    const prometheus = new TestPrometheus(proc, dir, port);
    await waitFor(
      'Prometheus to be ready',
      () => answers(`${prometheus.url}/-/ready`),
      20_000,
      () => proc.stderr.slice(-2000),
    );
    return prometheus;
  }

  /** Runs an instant query; throws on a query error. */
  async query(expr: string): Promise<Sample[]> {
    const res = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: Sample[] | [number, string] };
    };
    if (body.status !== 'success' || body.data === undefined) {
      throw new Error(`Query failed: ${expr}: ${body.error ?? res.status}`);
    }
    // Scalars (e.g. a ratio of sums that Prometheus folds) come back as one value.
    if (body.data.resultType === 'scalar') {
      return [{ metric: {}, value: body.data.result as [number, string] }];
    }
    return body.data.result as Sample[];
  }

  /** Label sets of every series matching `match` since `startSeconds` (stale ones included). */
  async series(match: string, startSeconds: number): Promise<Record<string, string>[]> {
    const params = new URLSearchParams({ 'match[]': match, start: String(startSeconds) });
    const res = await fetch(`${this.url}/api/v1/series?${params}`);
    const body = (await res.json()) as { status: string; data: Record<string, string>[] };
    if (body.status !== 'success') throw new Error(`Series query failed: ${match}`);
    return body.data;
  }

  /** Values of `label` on the series matching `match` (what Grafana's `label_values()` asks). */
  async labelValues(label: string, match: string): Promise<string[]> {
    const params = new URLSearchParams({ 'match[]': match });
    const res = await fetch(`${this.url}/api/v1/label/${label}/values?${params}`);
    const body = (await res.json()) as { status: string; data: string[] };
    if (body.status !== 'success') throw new Error(`Label values query failed: ${label} ${match}`);
    return body.data;
  }

  /** `/api/v1/query_exemplars` over the last `seconds`: exemplars per series. */
  async exemplars(expr: string, seconds = 300): Promise<ExemplarSeries[]> {
    const end = Date.now() / 1000;
    const params = new URLSearchParams({
      query: expr,
      start: String(end - seconds),
      end: String(end + 60),
    });
    const res = await fetch(`${this.url}/api/v1/query_exemplars?${params}`);
    const body = (await res.json()) as { status: string; error?: string; data: ExemplarSeries[] };
    if (body.status !== 'success') throw new Error(`Exemplar query failed: ${expr}: ${body.error}`);
    return body.data ?? [];
  }

  /** Removes the data dir (call after the process has stopped). */
  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
