import { loggingErrorHandler, setGlobalErrorHandler } from '@opentelemetry/core';
import { callContained } from '../internal/contain.js';

// OpenTelemetry has one global error handler, where exporters report failures (collector down,
// 5xx, timeouts). Each pipeline routing its failures by replacing it meant the last pipeline
// created took them all, and one pipeline's shutdown silenced every other. Instead one
// dispatcher is installed while any pipeline lives and hands each failure to every live
// pipeline's onError (the handler is not told which exporter failed). The registry lives on
// globalThis so that two copies of this package share it.

interface Routes {
  readonly handlers: Set<(exception: unknown) => void>;
}

const KEY = Symbol.for('@mvx-metrics/otel-bridge/export-error-routes');

function routes(): Routes {
  const holder = globalThis as { [KEY]?: Routes };
  holder[KEY] ??= { handlers: new Set() };
  return holder[KEY];
}

function dispatch(exception: unknown): void {
  for (const handler of [...routes().handlers]) callContained(handler, exception);
}

/**
 * Routes OpenTelemetry's export failures to `report` (a pipeline's `safeReporter`) until the
 * returned function is called. The first live route installs the dispatcher as the global error
 * handler; the last one leaving puts OpenTelemetry's default (`diag` logging) back.
 */
export function routeExportErrors(report: (exception: unknown) => void): () => void {
  const { handlers } = routes();
  const handler = (exception: unknown) => report(exception);
  if (handlers.size === 0) setGlobalErrorHandler(dispatch);
  handlers.add(handler);
  return () => {
    if (!handlers.delete(handler) || handlers.size > 0) return;
    setGlobalErrorHandler(loggingErrorHandler());
  };
}
