import { describeError, MetricsError } from '@mvx-metrics/core';
import { context, metrics, propagation, type TextMapPropagator, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { TracerProvider } from '@opentelemetry/sdk-trace';
import { OtelBridgeError } from '../errors/otel-bridge-error.js';
import { callContained } from '../internal/contain.js';
import { type ContextSource, useContextSource } from '../spans/context-capture.js';

/**
 * OpenTelemetry's AsyncLocalStorage context manager, as the pipeline installs it, telling the
 * bridge's capturer whether it is still the one in service: the capturer then asks it directly
 * instead of going through the API's global registry on every `registerEvent`.
 */
class PipelineContextManager extends AsyncLocalStorageContextManager implements ContextSource {
  inService = true;

  override disable(): this {
    // The API disables the global manager before another can be installed.
    this.inService = false;
    return super.disable();
  }
}

/**
 * Installs the providers, the propagator and an AsyncLocalStorage context manager as the
 * `@opentelemetry/api` globals where none is installed yet (a NodeSDK already running keeps its
 * own); returns the undo.
 */
export function registerGlobals(
  meterProvider: MeterProvider,
  tracerProvider: TracerProvider,
  propagator: TextMapPropagator,
): () => void {
  const contextManager = new PipelineContextManager().enable();
  // Each returns false (and leaves the installed one) when a global is already registered.
  const setContext = context.setGlobalContextManager(contextManager);
  if (setContext) useContextSource(contextManager);
  const setMeter = metrics.setGlobalMeterProvider(meterProvider);
  const setTracer = trace.setGlobalTracerProvider(tracerProvider);
  const setPropagator = propagation.setGlobalPropagator(propagator);
  return () => {
    if (setContext) context.disable();
    else contextManager.disable();
    if (setMeter) metrics.disable();
    if (setTracer) trace.disable();
    if (setPropagator) propagation.disable();
  };
}

/**
 * Calls `onError` (containing a throwing handler: it must not break an exporter's interval) with
 * the bridge's own errors as they are and anything else (an exporter's failure, a rejected final
 * export) as an `OtelBridgeError` with code `export-failed` and the original as `cause`. Every
 * report passes `redact` on its way out: an exporter's error may quote an endpoint's
 * credentials or a header value, and the handler must never see them.
 */
export function safeReporter(
  onError: (error: Error) => void,
  redact: (error: MetricsError) => MetricsError = (error) => error,
): (error: unknown) => void {
  return (exception) => {
    const error = isMetricsError(exception)
      ? exception
      : new OtelBridgeError('export-failed', describeError(exception), { cause: exception });
    callContained(onError, redact(error));
  };
}

// Exporters report failures (collector down, 5xx, timeouts) to OpenTelemetry's one global error
// handler; export-errors.ts shares it among the live pipelines.
export { routeExportErrors } from '../otlp/export-errors.js';

// `instanceof` asks a Proxy for its prototype, which throws once the proxy is revoked.
function isMetricsError(value: unknown): value is MetricsError {
  try {
    return value instanceof MetricsError;
  } catch {
    return false;
  }
}

/**
 * The default `onError`: one `console.warn` per distinct problem. Messages that differ only in
 * their numbers (data points lost per export, a port, a timeout) are one problem: a collector
 * down for an hour warns once, not once per interval.
 */
export function warnOncePerProblem(): (error: Error) => void {
  const seen = new Set<string>();
  return (error) => {
    const problem = `${(error as { code?: unknown }).code}:${error.message.replace(/\d+/g, '#')}`;
    if (seen.has(problem)) return;
    seen.add(problem);
    const what =
      error instanceof MetricsError
        ? ''
        : 'OpenTelemetry export failed (reported once per problem): ';
    console.warn(`[mvx-metrics] ${what}${error.message}`);
  };
}

/** Resolves `true` when `work` settles, or `false` after `ms`, whichever comes first (timer unref'd). */
export function withTimeout(work: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    timer.unref();
    const settled = () => {
      clearTimeout(timer);
      resolve(true);
    };
    void work.then(settled, settled);
  });
}
