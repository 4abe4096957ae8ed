import { describeError, MetricsError } from '@mvx-metrics/core';
import { context, metrics, propagation, type TextMapPropagator, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { loggingErrorHandler, setGlobalErrorHandler } from '@opentelemetry/core';
import type { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { TracerProvider } from '@opentelemetry/sdk-trace';
import { OtelBridgeError } from '../errors/otel-bridge-error.js';
import { callContained } from '../internal/contain.js';

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
  const contextManager = new AsyncLocalStorageContextManager().enable();
  // Each returns false (and leaves the installed one) when a global is already registered.
  const setContext = context.setGlobalContextManager(contextManager);
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
 * export) as an `OtelBridgeError` with code `export-failed` and the original as `cause`.
 */
export function safeReporter(onError: (error: Error) => void): (error: unknown) => void {
  return (exception) => {
    const error =
      exception instanceof MetricsError
        ? exception
        : new OtelBridgeError('export-failed', describeError(exception), { cause: exception });
    callContained(onError, error);
  };
}

/**
 * Exporters report failures (collector down, 5xx, timeouts) to OpenTelemetry's global error
 * handler, which by default only reaches `diag` — silent unless a diag logger is installed.
 */
export function routeExportErrors(report: (error: unknown) => void): () => void {
  setGlobalErrorHandler(report);
  return () => setGlobalErrorHandler(loggingErrorHandler());
}

/** The default `onError`: one `console.warn` per distinct message. */
export function warnOncePerProblem(): (error: Error) => void {
  const seen = new Set<string>();
  return (error) => {
    if (seen.has(error.message)) return;
    seen.add(error.message);
    const what =
      error instanceof MetricsError
        ? ''
        : 'OpenTelemetry export failed (reported once per problem): ';
    console.warn(`[mvx-metrics] ${what}${error.message}`);
  };
}

/** Resolves when `work` settles or after `ms`, whichever comes first (timer unref'd). */
export function withTimeout(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    void work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}
