import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answers, freePort, type Started, start, waitFor } from './processes.js';

/** Where Debian's `prometheus` package (2.42) puts them. */
export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const PROMTOOL_BIN = '/usr/bin/promtool';

/** Whether the tests that need a real Prometheus can run here. */
export function prometheusAvailable(): boolean {
  return existsSync(PROMETHEUS_BIN) && existsSync(PROMTOOL_BIN);
}

/** Under CI the Prometheus tests must run: a missing binary is a failure, never a skip. */
export function requirePrometheusUnderCi(): void {
  if (process.env.CI === 'true' && !prometheusAvailable()) {
    throw new Error(
      `CI=true but ${PROMETHEUS_BIN} or ${PROMTOOL_BIN} is missing: apt-get install prometheus (.ci/run does).`,
    );
  }
}

/** One sample of an instant query. */
export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
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

  static async start(targets: string[]): Promise<TestPrometheus> {
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
    const proc = start('prometheus', PROMETHEUS_BIN, [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
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

  /** Removes the data dir (call after the process has stopped). */
  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
