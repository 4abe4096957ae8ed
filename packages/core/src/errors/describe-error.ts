// Turning a thrown value into text runs inside catch blocks: if it threw itself, the failure it
// describes would escape the very guard meant to contain it. So every read here is guarded, and
// the result is bounded.

/** Longest description returned; a thrown value may carry a megabyte of message. */
const MAX_LENGTH = 500;

// One line (a message may span several, which would split a log record) of bounded length.
function bounded(text: string): string {
  const cut = text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH)}…` : text;
  return cut.replace(/\r?\n|\r/g, ' ');
}

function attempt<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

function describePrimitive(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value === '' ? 'an empty string' : value;
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return attempt(() => (value as symbol).toString()) ?? 'a symbol';
    case 'function':
      return 'a function';
    default:
      return String(value);
  }
}

/**
 * A one-line description of any thrown value (an `Error` gives its message) (an `Error`, a primitive, a revoked `Proxy`, an
 * object whose `message` getter, `toString` or `Symbol.toPrimitive` throws, a cyclic object).
 * Never throws: use it wherever a caught value becomes text.
 *
 * @example
 * try { metric.handleEvent(event); } catch (error) { report(`metric threw: ${describeError(error)}`); }
 */
export function describeError(error: unknown): string {
  try {
    if (error === null || (typeof error !== 'object' && typeof error !== 'function')) {
      return bounded(describePrimitive(error));
    }
    const message = attempt(() => (error as { message?: unknown }).message);
    if (typeof message === 'string' && message.length > 0) return bounded(message);
    if (typeof error === 'function') return 'a function';
    // A value with its own text (`toString`, `Symbol.toPrimitive`): String() may throw, return
    // a non-string through a bad toPrimitive, or return nothing (''); all fall back to the shape.
    const text = attempt(() => String(error));
    if (typeof text === 'string' && text !== '' && text !== '[object Object]') return bounded(text);
    return 'an object (no message)';
  } catch {
    return 'an undescribable value';
  }
}
