// The example prints what goes wrong (configuration mistakes, OpenTelemetry's diag warnings) to
// the terminal: never an endpoint's credentials or query string, or a header value. The
// pipeline hides them in its own reports; these lines are the example's own.

const REDACTED = '***';
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#"'`<>]*@/gi;
const QUERY = /\b([a-z][a-z0-9+.-]*:\/\/[^\s?#"'`<>]*)[?#][^\s"'`<>]*/gi;
// Shorter values are not hidden: "a" would be replaced in every word.
const MIN_SECRET_LENGTH = 4;

/** `text` with URL credentials and query strings (any scheme) replaced by `***`. */
export function redactUrls(text: string): string {
  return text.replace(USERINFO, `$1${REDACTED}@`).replace(QUERY, `$1?${REDACTED}`);
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
      secrets.add(value);
      secrets.add(value.trim());
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
