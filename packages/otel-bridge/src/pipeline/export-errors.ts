import { loggingErrorHandler, setGlobalErrorHandler } from '@opentelemetry/core';
import { OtelBridgeError } from '../errors/otel-bridge-error.js';
import { callContained, describeError } from '../internal/contain.js';

// OpenTelemetry has one global error handler, where exporters report failures (collector down,
// 5xx, timeouts). Each pipeline routing its failures by replacing it meant the last pipeline
// created took them all, and one pipeline's shutdown silenced every other. Instead one
// dispatcher is installed while any pipeline lives and hands each failure to every live
// pipeline's onError (the handler is not told which exporter failed). The registry lives on
// globalThis so that two copies of this package share it.

interface Routes {
  readonly handlers: Set<(error: Error) => void>;
}

const KEY = Symbol.for('@mvx-metrics/otel-bridge/export-error-routes');

function routes(): Routes {
  const holder = globalThis as { [KEY]?: Routes };
  holder[KEY] ??= { handlers: new Set() };
  return holder[KEY];
}

function dispatch(exception: unknown): void {
  const error = new OtelBridgeError('export-failed', describeError(exception), {
    cause: exception,
  });
  for (const handler of [...routes().handlers]) callContained(handler, error);
}

/**
 * Routes OpenTelemetry's export failures to `onError` until the returned function is called.
 * The first live route installs the dispatcher as the global error handler; the last one leaving
 * puts OpenTelemetry's default (`diag` logging) back.
 */
export function routeExportErrors(onError: (error: Error) => void): () => void {
  const { handlers } = routes();
  const handler = (error: Error) => onError(error);
  if (handlers.size === 0) setGlobalErrorHandler(dispatch);
  handlers.add(handler);
  return () => {
    if (!handlers.delete(handler) || handlers.size > 0) return;
    setGlobalErrorHandler(loggingErrorHandler());
  };
}
