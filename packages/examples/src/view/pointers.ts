import type { ViewInfo } from './render.js';

/** Where the running example can be reached, as the view's pointer lines need it. */
export interface PointerTargets {
  serviceUrl: string;
  /** `/metrics` URL, `undefined` when Prometheus is off. */
  metricsUrl: string | undefined;
  /** What OTLP pushes (e.g. `metrics http/protobuf, traces http/protobuf`), `undefined` when off. */
  otlp: string | undefined;
  /** Liveness and readiness URLs, `undefined` when Prometheus is off. */
  probes?: { readonly liveness: string; readonly readiness: string } | undefined;
}

/**
 * The hint lines under the figures: what to try, where to look. Each fits an 80-column terminal
 * beside its 13-column label (the view cuts longer lines to the terminal's width).
 */
export function pointerLines(targets: PointerTargets): ViewInfo['pointers'] {
  return [
    ['Try', `curl -X PUT --data hello ${targets.serviceUrl}/documents/hello`],
    ['Prometheus', targets.metricsUrl ?? 'off'],
    ['Probes', probesLine(targets.probes)],
    ['OTLP', targets.otlp ?? 'off (OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 pushes)'],
    ['Stack', 'docker compose -f packages/examples/deploy/compose.yaml up -d'],
    ['Grafana', 'http://localhost:3000 (the stack above)'],
    ['Jaeger', 'http://localhost:16686 (the stack above: a trace per request)'],
  ];
}

// Both probes share the metrics server: one URL and the other path keep the line under 80 columns.
function probesLine(probes: PointerTargets['probes']): string {
  if (probes === undefined) return 'off';
  const readiness = new URL(probes.readiness).pathname;
  return `${probes.liveness} (liveness), ${readiness} (readiness)`;
}
