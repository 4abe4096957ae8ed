/**
 * Calls a user's handler with `argument`; whatever the handler throws stays here. The one place
 * the bridge contains a throwing handler (error handlers, export error routing, reporters): a
 * handler that throws must never break a collection, a hook or an exporter's interval.
 */
export function callContained<T>(handler: (argument: T) => unknown, argument: T): void {
  try {
    handler(argument);
  } catch {
    // contained: see above
  }
}
