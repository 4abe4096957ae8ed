/**
 * The identity text of one attribute value: its type's initial and its text, length-prefixed, so
 * `200` and `'200'` (or `NaN` and `Infinity`) differ and no value, whatever its characters, runs
 * into the next part of a key. Arrays item by item. Never throws, whatever a hand-written metric
 * put in its attributes (bigint, symbol, cycles).
 */
export function attributeValueKey(value: unknown): string {
  if (Array.isArray(value)) {
    let id = `a${value.length}[`;
    for (const item of value) id += attributeValueKey(item);
    return id;
  }
  return `${(typeof value)[0]}${lengthPrefixed(safeString(value))}`;
}

/** `text` behind its length: a part of a key that cannot run into the next. */
export function lengthPrefixed(text: string): string {
  return `${text.length}:${text}`;
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '?';
  }
}
