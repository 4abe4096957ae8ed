import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';

/**
 * Wraps a push exporter so that each export's outcome reaches `outcome` (readiness counts
 * consecutive failures), the exporter itself untouched. An export that has not answered after
 * `timeoutMs` counts as failed then (the reader gives up on it at that point too, and only logs);
 * its late answer is not counted again.
 */
export function observeExportOutcomes(
  exporter: PushMetricExporter,
  timeoutMs: number,
  outcome: (succeeded: boolean) => void,
): PushMetricExporter {
  const observed: PushMetricExporter = {
    export(metrics, resultCallback) {
      let counted = false;
      const count = (succeeded: boolean) => {
        if (counted) return;
        counted = true;
        clearTimeout(timer);
        outcome(succeeded);
      };
      const timer = setTimeout(() => count(false), timeoutMs);
      timer.unref();
      try {
        exporter.export(metrics, (result: ExportResult) => {
          count(result.code === ExportResultCode.SUCCESS);
          resultCallback(result);
        });
      } catch (error) {
        count(false);
        throw error;
      }
    },
    forceFlush: () => exporter.forceFlush(),
    shutdown: () => exporter.shutdown(),
  };
  if (exporter.selectAggregationTemporality !== undefined) {
    observed.selectAggregationTemporality = (type) =>
      (
        exporter.selectAggregationTemporality as NonNullable<
          typeof exporter.selectAggregationTemporality
        >
      ).call(exporter, type);
  }
  if (exporter.selectAggregation !== undefined) {
    observed.selectAggregation = (type) =>
      (exporter.selectAggregation as NonNullable<typeof exporter.selectAggregation>).call(
        exporter,
        type,
      );
  }
  return observed;
}
