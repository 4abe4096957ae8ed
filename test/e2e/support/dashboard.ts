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

/** Replaces the Grafana variables a dashboard query uses with values fit for a 1 s scrape. */
export function substituteGrafanaVariables(expr: string): string {
  return expr.replaceAll('$__rate_interval', '15s').replaceAll('$instance', '.*');
}
