import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The example's deploy directory. */
export const DEPLOY_DIR = join(import.meta.dirname, '../../../packages/examples/deploy');
export const DASHBOARD_FILE = join(DEPLOY_DIR, 'grafana/dashboards/document-storage.json');

interface Panel {
  title: string;
  type: string;
  targets?: { expr?: string; datasource?: { uid?: string } }[];
}

/** Every `[panel title, PromQL]` pair of the dashboard. */
export function dashboardQueries(): [string, string][] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as { panels: Panel[] };
  return dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((t): [string, string] => [panel.title, t.expr ?? '']),
  );
}

/** The `label_values(<match>, <label>)` queries of the dashboard's template variables. */
export function dashboardVariables(): { name: string; label: string; match: string }[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as {
    templating: { list: { name: string; definition: string }[] };
  };
  return dashboard.templating.list.map((v) => {
    const m = /^label_values\((.+),\s*(\w+)\)$/.exec(v.definition);
    if (m === null) throw new Error(`Variable ${v.name}: unexpected query ${v.definition}`);
    return { name: v.name, match: m[1] as string, label: m[2] as string };
  });
}

/** The `--enable-feature=` flags deploy/compose.yaml starts Prometheus with, e.g. `native-histograms`. */
export function composePrometheusFeatures(): string[] {
  const compose = readFileSync(join(DEPLOY_DIR, 'compose.yaml'), 'utf8');
  return [...compose.matchAll(/^\s+- --enable-feature=([\w-]+)$/gm)].map((m) => m[1] as string);
}

/** Replaces the Grafana variables a dashboard query uses with values fit for a 1 s scrape. */
export function substituteGrafanaVariables(expr: string): string {
  return expr.replaceAll('$__rate_interval', '15s').replaceAll('$instance', '.*');
}
