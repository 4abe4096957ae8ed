import { isHeaderName } from './http-headers.js';

// Secrets (header values, URL credentials and query strings) never reach anything a user can
// read: reports, warnings, thrown errors (message, cause chain, any property). The pipeline's own
// messages never quote such a value; this is the net behind them, for what OpenTelemetry's
// exporters and Node put into their errors.

/** What a hidden value is replaced with. */
export const REDACTED = '***';

// Shorter known values are left alone: hiding every "a" would garble every message, and the
// pipeline's own messages never quote a configured value anyway.
const MIN_SECRET_LENGTH = 4;
// How deep a cause chain / nested property is copied; deeper values are dropped from a copy.
const MAX_DEPTH = 8;

const SCHEME_CHAR = /[a-z0-9+.-]/i;
const LETTER = /[a-z]/i;

/**
 * Where the first `scheme://` of `word` is, as `/[a-z][a-z0-9+.-]*:\/\//i` would find it, in
 * linear time: that regular expression backtracks quadratically over a long run of letters (a
 * 1 MB message without `://` held the reporter for minutes).
 */
export function findScheme(word: string): { index: number; end: number } | null {
  for (let sep = word.indexOf('://'); sep !== -1; sep = word.indexOf('://', sep + 1)) {
    let start = sep;
    while (start > 0 && SCHEME_CHAR.test(word.charAt(start - 1))) start--;
    for (let i = start; i < sep; i++) {
      if (LETTER.test(word.charAt(i))) return { index: i, end: sep + 3 };
    }
  }
  return null;
}

/**
 * `text` with URL credentials and query strings (any scheme) replaced by `***`. Word by word: in
 * a word holding `scheme://`, everything up to its last `@` is userinfo and everything from the
 * next `?` or `#` on is query, whatever quotes or slashes a malformed URL put in between (hiding
 * too much is the safe side).
 */
export function redactUrls(text: string): string {
  return text.replace(/\S+/g, redactWord);
}

/** {@link redactUrls} for one value taken as a single word, spaces included (a command-line argument). */
export function redactWord(word: string): string {
  const scheme = findScheme(word);
  if (scheme === null) return word;
  const start = scheme.end;
  let rest = word.slice(start);
  // `file:///…/@scope/pkg` has no authority: an `@` in its path is no userinfo.
  // Userinfo ends at the last `@` before the query; with none there (a raw `?` in a password),
  // at the last `@` of the word.
  const query = rest.search(/[?#]/);
  const beforeQuery = query === -1 ? -1 : rest.lastIndexOf('@', query);
  const at = rest.startsWith('/') ? -1 : beforeQuery !== -1 ? beforeQuery : rest.lastIndexOf('@');
  if (at !== -1) rest = `${REDACTED}@${rest.slice(at + 1)}`;
  const tail = rest.search(/[?#]/);
  if (tail !== -1) rest = `${rest.slice(0, tail)}?${REDACTED}`;
  return `${word.slice(0, start)}${rest}`;
}

/**
 * The parts of a configured endpoint that may be secret: its userinfo, query and fragment (raw
 * and decoded). A value that is not an http(s) URL is secret as a whole (where its credentials
 * are cannot be known), and so are its pieces around `@` and after `?`/`#`.
 */
export function urlSecrets(text: string): string[] {
  const out: string[] = [];
  const scheme = text.indexOf('://');
  const authorityStart = scheme === -1 ? 0 : scheme + 3;
  const tailAt = text.slice(authorityStart).search(/[?#]/);
  const authorityEnd = tailAt === -1 ? text.length : authorityStart + tailAt;
  const at = text.lastIndexOf('@', authorityEnd - 1);
  if (at >= authorityStart) {
    const userinfo = text.slice(authorityStart, at);
    out.push(userinfo, ...userinfo.split(':'));
  }
  if (tailAt !== -1) out.push(text.slice(authorityEnd + 1));
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    out.push(text, text.trim());
  }
  if (url !== undefined) {
    for (const part of [url.username, url.password, url.search.slice(1), url.hash.slice(1)]) {
      out.push(part, decoded(part));
    }
    // What Node sends for them: `Authorization: Basic base64(user:password)`.
    if (url.username !== '' || url.password !== '') {
      const basic = `${decoded(url.username)}:${decoded(url.password)}`;
      out.push(Buffer.from(basic).toString('base64'));
    }
  }
  return out;
}

/**
 * The values of a `key=value,…` header list as OpenTelemetry reads it (raw and percent-decoded,
 * and up to a `;`, where OpenTelemetry cuts a value); an entry without `=`, or whose name is no
 * header name (`Authorization: Bearer …=`, written by mistake), is secret as a whole.
 */
export function headerListSecrets(text: string): string[] {
  const out: string[] = [];
  for (const entry of text.split(',')) {
    const eq = entry.indexOf('=');
    const name = eq === -1 ? '' : decoded(entry.slice(0, eq).trim());
    if (eq === -1 || !isHeaderName(name)) out.push(entry, name, ...malformedEntrySecrets(entry));
    const value = entry.slice(eq + 1).trim();
    const beforeProperties = value.split(';')[0] ?? value;
    out.push(value, decoded(value), beforeProperties.trim(), decoded(beforeProperties.trim()));
  }
  return out;
}

/**
 * What a malformed header entry (`Authorization: Bearer a:b c`) may hold a secret in: the entry,
 * every tail of it after a space or `:` (`Bearer a:b c`, `a:b c`, `b c`, `c`: a token may hold
 * either), and every piece between them.
 */
function malformedEntrySecrets(entry: string): string[] {
  const trimmed = entry.trim();
  const out = [trimmed, ...trimmed.split(/[\s:]+/), ...trimmed.split(/\s+/)];
  for (const separator of trimmed.matchAll(/[\s:]+/g)) {
    out.push(trimmed.slice(separator.index + separator[0].length));
  }
  return out;
}

function encoded(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text; // a lone surrogate
  }
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Hides a set of known secrets (and any URL credentials or query) in texts and errors. */
export class Redactor {
  readonly #secrets: readonly string[];

  constructor(secrets: Iterable<string>) {
    const kept = new Set<string>();
    for (const secret of secrets) {
      if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
      // As it may be quoted: raw, JSON-escaped (a collector's error body), percent-encoded.
      for (const form of [secret, JSON.stringify(secret).slice(1, -1), encoded(secret)]) {
        kept.add(form);
      }
    }
    // Longest first: a secret that contains another is hidden whole.
    this.#secrets = [...kept].sort((a, b) => b.length - a.length);
  }

  /** `text` with every known secret, URL credential and query string replaced by `***`. */
  text(text: string): string {
    let out = text;
    for (const secret of this.#secrets) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return redactUrls(out);
  }

  /**
   * `value` itself when nothing printable in it (message, stack, cause chain, own properties,
   * enumerable or not) holds a secret; otherwise a copy, of the same class, with every string
   * redacted. Never throws.
   */
  error<T>(value: T): T {
    const copier = new Copier(this);
    try {
      const copy = copier.copy(value, 0) as T;
      return copier.changed ? copy : value;
    } catch {
      // A revoked proxy, a hostile prototype: what it says is lost, not leaked.
      return new Error(`${REDACTED} (an error that could not be read)`) as T;
    }
  }
}

class Copier {
  changed = false;
  readonly #copies = new Map<object, unknown>();

  constructor(private readonly redactor: Redactor) {}

  copy(value: unknown, depth: number): unknown {
    if (typeof value === 'string') {
      const text = this.redactor.text(value);
      if (text !== value) this.changed = true;
      return text;
    }
    if (typeof value !== 'object' || value === null) return value;
    const known = this.#copies.get(value);
    if (known !== undefined) return known;
    if (depth > MAX_DEPTH) {
      this.changed = true;
      return undefined;
    }
    let array: boolean;
    let prototype: object | null;
    let keys: string[];
    try {
      if (opaque(value)) return value;
      array = Array.isArray(value);
      prototype = Object.getPrototypeOf(value);
      keys = Object.getOwnPropertyNames(value);
    } catch {
      // A revoked proxy, a throwing trap: nothing can print it, so nothing leaks from it.
      return value;
    }
    const shell: object = array ? [] : Object.create(prototype);
    this.#copies.set(value, shell);
    for (const key of keys) {
      if (array && key === 'length') continue;
      const descriptor = describe(value, key);
      const raw =
        descriptor !== undefined && 'value' in descriptor ? descriptor.value : read(value, key);
      Object.defineProperty(shell, key, {
        value: this.copy(raw, depth + 1),
        writable: true,
        enumerable: descriptor?.enumerable ?? true,
        configurable: true,
      });
    }
    return shell;
  }
}

// Values whose content lives in internal slots, not properties: copied they would break, and
// none of them is printed from a string an exporter put there.
function opaque(value: object): boolean {
  return (
    ArrayBuffer.isView(value) ||
    value instanceof ArrayBuffer ||
    value instanceof Map ||
    value instanceof Set ||
    value instanceof WeakMap ||
    value instanceof WeakSet ||
    value instanceof Date ||
    value instanceof RegExp ||
    value instanceof Promise
  );
}

function describe(value: object, key: string): PropertyDescriptor | undefined {
  try {
    return Object.getOwnPropertyDescriptor(value, key);
  } catch {
    return undefined;
  }
}

function read(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}
