import type { ServerResponse } from 'node:http';

/**
 * Makes the body `response` ends with finish with a newline. The exporter ends a body without
 * metrics on `# no registered metrics` and no newline, which Prometheus' parser (and
 * `promtool check metrics`) rejects as an unexpected end of input.
 */
export function completeLastLine(response: ServerResponse): void {
  const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
  response.end = ((chunk?: unknown, ...rest: unknown[]) => {
    const body =
      typeof chunk === 'string' && chunk !== '' && !chunk.endsWith('\n') ? `${chunk}\n` : chunk;
    return end(body, ...rest);
  }) as ServerResponse['end'];
}
