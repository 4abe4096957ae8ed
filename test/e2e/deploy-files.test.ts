import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DASHBOARD_FILE, DEPLOY_DIR, dashboardQueries } from './support/dashboard.js';
import { prometheusAvailable, promtool } from './support/prometheus.js';

const read = (path: string) => readFileSync(join(DEPLOY_DIR, path), 'utf8');

describe('deploy files of the example stack', () => {
  test.skipIf(!prometheusAvailable)('prometheus.yml passes promtool check config', () => {
    const output = execFileSync(
      promtool(),
      ['check', 'config', join(DEPLOY_DIR, 'prometheus.yml')],
      {
        encoding: 'utf8',
      },
    );
    expect(output).toContain('SUCCESS');
  });

  test('the dashboard parses and every panel query uses the provisioned Prometheus data source', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as {
      uid: string;
      panels: { type: string; targets?: { expr: string; datasource: { uid: string } }[] }[];
    };
    const datasources = read('grafana/provisioning/datasources/datasources.yaml');
    expect(datasources).toMatch(/uid: prometheus\n\s+type: prometheus/);
    expect(datasources).toMatch(/uid: jaeger\n\s+type: jaeger/);
    const targets = dashboard.panels.flatMap((p) => p.targets ?? []);
    expect(targets.length).toBeGreaterThan(10);
    for (const target of targets) {
      expect(target.datasource.uid).toBe('prometheus');
      expect(target.expr.length).toBeGreaterThan(0);
    }
  });

  test('the dashboard covers the example metrics, the recorder self-telemetry and the Node runtime metrics', () => {
    const all = dashboardQueries()
      .map(([, expr]) => expr)
      .join('\n');
    for (const name of [
      'http_server_request_duration_seconds_count',
      'http_server_request_duration_seconds_bucket',
      'docs_document_save_attempts_total',
      'docs_document_save_results_total',
      'docs_document_save_duration_seconds_bucket',
      'docs_request_latency_seconds', // the native histogram: no _bucket, _count or _sum
      'docs_documents_stored',
      'docs_documents_stored_size_bytes',
      'docs_connection_requests_total',
      'mvx_recorder_events_total',
      'mvx_recorder_pending',
      'mvx_recorder_capacity',
      // Node's runtime metrics, from OpenTelemetry's runtime instrumentation
      'nodejs_eventloop_delay_p99_seconds',
      'nodejs_eventloop_utilization_ratio',
      'v8js_gc_duration_seconds_sum',
      'v8js_memory_heap_used_bytes',
    ]) {
      expect(all, name).toContain(name);
    }
  });

  test('exemplars: Prometheus stores them, Grafana links them to Jaeger, latency panels show them', () => {
    expect(read('compose.yaml')).toContain('- --enable-feature=exemplar-storage');
    const datasources = read('grafana/provisioning/datasources/datasources.yaml');
    expect(datasources).toMatch(
      /exemplarTraceIdDestinations:\n\s+- name: trace_id\n\s+datasourceUid: jaeger/,
    );
    const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as {
      panels: { title: string; targets?: { expr: string; exemplar?: boolean }[] }[];
    };
    const latency = dashboard.panels.filter((p) => /latency/i.test(p.title));
    expect(latency.length).toBeGreaterThanOrEqual(2);
    for (const panel of latency) {
      for (const target of panel.targets ?? []) {
        expect(target.expr, panel.title).toMatch(/_seconds_bucket/);
        expect(target.exemplar, panel.title).toBe(true);
      }
    }
  });

  test('native histograms: Prometheus scrapes them, a heatmap panel and a quantile panel read one with no le', () => {
    expect(read('compose.yaml')).toContain('- --enable-feature=native-histograms');
    const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as {
      panels: {
        title: string;
        type: string;
        options?: { calculate?: boolean };
        targets?: { expr: string; format?: string }[];
      }[];
    };
    const native = dashboard.panels.filter((p) =>
      (p.targets ?? []).some((t) => /\bdocs_request_latency_seconds\{/.test(t.expr)),
    );
    const heatmap = native.find((p) => p.type === 'heatmap');
    expect(heatmap?.title).toMatch(/native histogram/);
    // Grafana draws the native histogram's own buckets: no bucketing of its own, heatmap format.
    expect(heatmap?.options?.calculate).toBe(false);
    expect(heatmap?.targets?.map((t) => t.format)).toEqual(['heatmap']);
    expect(native.some((p) => p.type === 'timeseries')).toBe(true);
    for (const target of native.flatMap((p) => p.targets ?? [])) {
      // A native histogram is one series: no _bucket/_count/_sum suffix, no grouping by le.
      expect(target.expr).not.toMatch(/docs_request_latency_seconds_|\ble\b/);
    }
    // Classic le labels read "1.0" instead of "1" in a protobuf scrape: no query may match an le value.
    for (const [title, expr] of dashboardQueries()) expect(expr, title).not.toMatch(/\ble\s*=~?/);
  });

  test('every file compose.yaml mounts or builds from exists', () => {
    const compose = read('compose.yaml');
    const mounts = [...compose.matchAll(/- (\.\/[^:\s]+):/g)].map((m) => m[1] as string);
    expect(mounts.length).toBeGreaterThanOrEqual(4);
    for (const mount of mounts) expect(existsSync(join(DEPLOY_DIR, mount)), mount).toBe(true);
    expect(compose).toContain('dockerfile: packages/examples/deploy/Dockerfile');
    expect(existsSync(join(DEPLOY_DIR, 'Dockerfile'))).toBe(true);
    // The Dockerfile runs what npm start runs.
    expect(read('Dockerfile')).toContain('packages/examples/dist/main.js');
    // Grafana's dashboard provider reads the directory compose mounts the dashboard into.
    expect(read('grafana/provisioning/dashboards/dashboards.yaml')).toContain(
      'path: /var/lib/grafana/dashboards',
    );
    expect(compose).toContain('./grafana/dashboards:/var/lib/grafana/dashboards');
  });

  test('prometheus.yml scrapes the service on its metrics port', () => {
    expect(read('prometheus.yml')).toMatch(/targets: \[['"]document-storage:9464['"]\]/);
    expect(read('compose.yaml')).toMatch(/^ {2}document-storage:$/m);
  });
});
