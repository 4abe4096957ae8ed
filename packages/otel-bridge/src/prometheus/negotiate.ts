/** One media range of an `Accept` header: its type (lower case) and parameters (`q` as a number). */
interface MediaRange {
  type: string;
  q: number;
  params: Record<string, string>;
}

function mediaRanges(accept: string): MediaRange[] {
  return accept.split(',').map((range) => {
    const [type = '', ...parts] = range.split(';').map((part) => part.trim());
    const params: Record<string, string> = Object.create(null);
    let q = 1;
    for (const part of parts) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      const name = part.slice(0, eq).trim().toLowerCase();
      const value = part
        .slice(eq + 1)
        .trim()
        .replace(/^"|"$/g, '');
      if (name === 'q') q = Number.isNaN(Number(value)) ? 0 : Number(value);
      else params[name] = value;
    }
    return { type: type.toLowerCase(), q, params };
  });
}

/** The highest `q` the header gives each format `/metrics` can serve (0: not acceptable). */
function qualities(accept: string): { protobuf: number; openMetrics: number; text: number } {
  let protobuf = 0;
  let openMetrics = 0;
  let text = 0;
  for (const { type, q, params } of mediaRanges(accept)) {
    if (type === 'application/vnd.google.protobuf') {
      // The one message and framing served: MetricFamily, length-delimited.
      if (params.proto === 'io.prometheus.client.MetricFamily' && params.encoding === 'delimited') {
        protobuf = Math.max(protobuf, q);
      }
    } else if (type === 'application/openmetrics-text') {
      // 1.0.0 is what we serve; 0.0.1 was its draft and Prometheus reads 1.0.0 for it too.
      const version = params.version;
      if (version === undefined || version === '1.0.0' || version === '0.0.1') {
        openMetrics = Math.max(openMetrics, q);
      }
    } else if (type === 'text/plain' || type === '*/*' || type === 'text/*') {
      text = Math.max(text, q);
    }
  }
  return { protobuf, openMetrics, text };
}

/**
 * Whether a scraper's `Accept` header asks for OpenMetrics 1.0 at least as much as for the
 * Prometheus text format. Prometheus with exemplar storage sends
 * `application/openmetrics-text;version=1.0.0,...,text/plain;version=0.0.4;q=0.5,*\/*;q=0.1`;
 * curl sends `*\/*`, which keeps getting the text format.
 */
export function prefersOpenMetrics(accept: string | undefined): boolean {
  if (accept === undefined || accept === '') return false;
  const { openMetrics, text } = qualities(accept);
  return openMetrics > 0 && openMetrics >= text;
}

/** The formats `/metrics` serves. */
export type ExpositionFormat = 'protobuf' | 'openmetrics' | 'text';

/**
 * The format a scraper's `Accept` header prefers: Prometheus' protobuf exposition
 * (`application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited`,
 * which Prometheus asks for first with native histograms on), OpenMetrics 1.0, or the text format
 * (no header, `*\/*`). The highest `q` wins; on a tie protobuf, then OpenMetrics, then text.
 */
export function negotiateExposition(accept: string | undefined): ExpositionFormat {
  if (accept === undefined || accept === '') return 'text';
  const { protobuf, openMetrics, text } = qualities(accept);
  if (protobuf > 0 && protobuf >= openMetrics && protobuf >= text) return 'protobuf';
  return openMetrics > 0 && openMetrics >= text ? 'openmetrics' : 'text';
}
