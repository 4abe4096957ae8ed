/**
 * Whether a scraper's `Accept` header asks for OpenMetrics 1.0 at least as much as for the
 * Prometheus text format. Prometheus with exemplar storage sends
 * `application/openmetrics-text;version=1.0.0,...,text/plain;version=0.0.4;q=0.5,*\/*;q=0.1`;
 * curl sends `*\/*`, which keeps getting the text format.
 */
export function prefersOpenMetrics(accept: string | undefined): boolean {
  if (accept === undefined || accept === '') return false;
  let openMetrics = 0;
  let text = 0;
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((part) => part.trim());
    let q = 1;
    let version: string | undefined;
    for (const param of params) {
      const eq = param.indexOf('=');
      if (eq < 0) continue;
      const name = param.slice(0, eq).trim().toLowerCase();
      const value = param
        .slice(eq + 1)
        .trim()
        .replace(/^"|"$/g, '');
      if (name === 'q') q = Number.isNaN(Number(value)) ? 0 : Number(value);
      if (name === 'version') version = value;
    }
    const media = type.toLowerCase();
    if (media === 'application/openmetrics-text') {
      // 1.0.0 is what we serve; 0.0.1 was its draft and Prometheus reads 1.0.0 for it too.
      if (version === undefined || version === '1.0.0' || version === '0.0.1') {
        openMetrics = Math.max(openMetrics, q);
      }
    } else if (media === 'text/plain' || media === '*/*' || media === 'text/*') {
      text = Math.max(text, q);
    }
  }
  return openMetrics > 0 && openMetrics >= text;
}
