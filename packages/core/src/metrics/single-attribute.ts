// Recognises the attribute function most metrics have, `(e) => ({ outcome: e.outcome })`, from
// its source text, so that the metric reads that one property itself and never makes the object.
// The object made per event and the `for…in` that reads it back cost ~12 of ~48 ns per processed
// event (bench/README.md, "Round 6"); V8 cannot spare either, as the object escapes into the
// point store and a `for…in` needs it built. No library parses a function's text for this, so it
// is a regular expression over the one form, and every other text keeps calling the function.

/** What `(e) => ({ name: e.property })` makes of an event: one attribute, one property read. */
export interface SingleAttribute {
  /** The attribute's name: the object literal's one key. */
  readonly name: string;
  /** The property of the event it is read from. */
  readonly property: string;
}

const IDENTIFIER = '[A-Za-z_$][\\w$]*';
/**
 * The whole text of an arrow function `(param) => ({ key: param.property })` (parentheses around
 * the parameter optional, a trailing comma and any spacing allowed): the key an ASCII identifier
 * or a quoted string without escapes. Nothing else matches: no comment, no second key, no computed
 * key, no call, no other variable, no `async`.
 */
const FORM = new RegExp(
  `^(?:\\(\\s*(${IDENTIFIER})\\s*\\)|(${IDENTIFIER}))\\s*=>\\s*\\(\\s*\\{\\s*` +
    `(?:(${IDENTIFIER})|'([^'\\\\\\n\\r\\u2028\\u2029]*)'|"([^"\\\\\\n\\r\\u2028\\u2029]*)")` +
    `\\s*:\\s*(${IDENTIFIER})\\s*\\.\\s*(${IDENTIFIER})\\s*,?\\s*\\}\\s*\\)$`,
);

/**
 * The one attribute `attributes` makes, when its source text is exactly
 * `(e) => ({ name: e.property })`; `undefined` for any other function or value. Such a function
 * reads nothing but `e.property`, once, and returns a new object with one own key, so reading the
 * property and taking the pair is what calling it and reading the object back would give, with the
 * same reads of the event. A key `__proto__` sets an object literal's prototype instead of a key:
 * never taken.
 */
export function singleAttribute(attributes: unknown): SingleAttribute | undefined {
  if (typeof attributes !== 'function') return undefined;
  // Function.prototype.toString, not the function's own: a Proxy or a bound function gives
  // `[native code]`, and a replaced `toString` is never asked.
  const match = FORM.exec(Function.prototype.toString.call(attributes));
  if (match === null) return undefined;
  const param = match[1] ?? match[2];
  // One of the key's three forms matched: an identifier, a single- or a double-quoted string.
  const name = (match[3] ?? match[4] ?? match[5]) as string;
  if (match[6] !== param || name === '__proto__') return undefined;
  return { name, property: match[7] as string };
}
