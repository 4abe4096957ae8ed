// The example prints what goes wrong (configuration mistakes, OpenTelemetry's diag warnings) to
// the terminal: never an endpoint's credentials or query string, or a header value. The
// pipeline hides them in its own reports; these lines are the example's own.

const REDACTED = '***';
const SCHEME = /[a-z][a-z0-9+.-]*:\/\//i;
// Shorter values are not hidden: "a" would be replaced in every word.
const MIN_SECRET_LENGTH = 4;

/**
 * `text` with URL credentials and query strings (any scheme) replaced by `***`. Word by word: in
 * a word holding `scheme://`, everything up to its last `@` is userinfo and everything from the
 * next `?` or `#` on is query, whatever quotes or slashes a malformed URL put in between (hiding
 * too much is the safe side).
 */
export function redactUrls(text: string): string {
  return text.replace(/\S+/g, redactWord);
}

function redactWord(word: string): string {
  const scheme = SCHEME.exec(word);
  if (scheme === null) return word;
  const start = scheme.index + scheme[0].length;
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

type Env = Readonly<Record<string, string | undefined>>;

/**
 * A redactor for lines quoting OpenTelemetry's own messages (`diag` quotes an endpoint it cannot
 * parse, whole): it hides the whole value of every OTLP endpoint and header variable and of
 * `--otlp-endpoint`, each header value, and any URL credentials or query.
 */
export function configRedactor(
  env: Env,
  otlpEndpoint: string | undefined,
): (text: string) => string {
  const secrets = new Set<string>();
  const add = (value: string | undefined) => {
    if (value !== undefined && value.trim().length >= MIN_SECRET_LENGTH) {
      for (const form of [value, value.trim()]) {
        secrets.add(form);
        secrets.add(JSON.stringify(form).slice(1, -1)); // quoted inside a JSON diag line
      }
    }
  };
  add(otlpEndpoint);
  for (const infix of ['', 'METRICS_', 'TRACES_']) {
    add(env[`OTEL_EXPORTER_OTLP_${infix}ENDPOINT`]);
    const headers = env[`OTEL_EXPORTER_OTLP_${infix}HEADERS`];
    add(headers);
    for (const entry of headers?.split(',') ?? []) {
      add(entry);
      add(entry.slice(entry.indexOf('=') + 1));
    }
  }
  const longestFirst = [...secrets].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of longestFirst) out = out.split(secret).join(REDACTED);
    return redactUrls(out);
  };
}
