import type { MeterProvider } from '@opentelemetry/sdk-metrics';
import { TimeoutError } from '@opentelemetry/sdk-metrics';
import type { TracerProvider } from '@opentelemetry/sdk-trace';
import { OtelBridgeError } from '../errors/otel-bridge-error.js';
import type { ReportedMetricExporter } from '../otlp/export-outcomes.js';
import type { ExporterAgents } from '../otlp/exporter-agents.js';
import type { TransportControl } from '../otlp/exporter-internals.js';
import { withTimeout } from './lifecycle.js';

/** What a pipeline exports through, as the final export needs it. */
export interface ExportParts {
  readonly pushExporters: readonly ReportedMetricExporter[];
  readonly spanTransports: readonly TransportControl[];
  readonly agents: ExporterAgents;
  readonly tracesOn: boolean;
}

/**
 * The final export of both signals, bounded by `budgetMs`. A failure (collector down) is
 * reported, never thrown, and before this resolves: whatever is still open when the budget runs
 * out is reported as such and its connections and waiting retries are ended, so nothing of the
 * pipeline keeps the process alive afterwards and nothing is reported later.
 */
export async function finalExport(
  meterProvider: MeterProvider,
  tracerProvider: TracerProvider,
  parts: ExportParts | undefined,
  report: (error: unknown) => void,
  budgetMs: number,
  spentMs = 0,
): Promise<void> {
  // What the budget has left after the bridges' exports on a terminal state; reports name the
  // whole budget, the option a user sets.
  const leftMs = Math.max(0, budgetMs - spentMs);
  const pushExporters = parts?.pushExporters ?? [];
  for (const exporter of pushExporters) exporter.beginShutdown();
  let settled = false;
  let sdkRanOut = false;
  let tracesDone = false;
  const metricsWork = meterProvider.shutdown({ timeoutMillis: leftMs }).then(
    () => {},
    (reason: unknown) => {
      // The SDK's own budget running out: the exporters tell what it cut short.
      if (reason instanceof TimeoutError && pushExporters.length > 0) sdkRanOut = true;
      else if (!settled) report(reason);
    },
  );
  const tracesWork = tracerProvider.shutdown().then(
    () => {
      tracesDone = true;
    },
    (reason: unknown) => {
      tracesDone = true;
      if (!settled) report(reason);
    },
  );
  const finished = await withTimeout(Promise.all([metricsWork, tracesWork]), leftMs);
  settled = true;
  for (const exporter of pushExporters) exporter.close(budgetMs, sdkRanOut || !finished);
  if (!tracesDone && parts?.tracesOn === true) {
    for (const transport of parts.spanTransports) transport.close();
    report(
      new OtelBridgeError(
        'export-failed',
        `The final span export did not finish within shutdown's budget (shutdownTimeoutMs, ${budgetMs} ms); its spans were not exported`,
      ),
    );
  }
  parts?.agents.close();
}
