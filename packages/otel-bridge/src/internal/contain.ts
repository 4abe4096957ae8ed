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

/**
 * Describes any thrown value in one line, and never throws itself: not for a revoked Proxy, an
 * Error whose `message` getter throws, a `Symbol.toPrimitive` that throws, a cyclic object or
 * a symbol. Errors give their message; other values a short description.
 */
export function describeError(error: unknown): string {
  try {
    if (error instanceof Error) {
      const message: unknown = error.message;
      if (typeof message === 'string') return message;
    }
  } catch {
    // a revoked Proxy throws from instanceof; a getter may throw: describe it as a value
  }
  return describeThrown(error);
}

function describeThrown(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return String(value);
    case 'symbol':
      return safe(() => value.toString(), 'a symbol');
    case 'function':
      return 'a function';
    default:
      return value === null || value === undefined
        ? 'null'
        : safe(() => objectText(value), 'an object');
  }
}

// `String(object)` calls user code (toString, Symbol.toPrimitive): guarded, and only a string counts.
function objectText(value: object): string {
  const text: unknown = String(value);
  return typeof text === 'string' && text !== '[object Object]' ? text : 'an object';
}

function safe(describe: () => string, fallback: string): string {
  try {
    return describe();
  } catch {
    return fallback;
  }
}
