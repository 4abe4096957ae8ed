// The README's "Health and lifecycle" section and docs/production.md state the defaults the code
// has: unready after `health.exportFailuresUntilUnready` failed exports in a row (default 3), and
// `runtime.shutdown()`'s drain deadline (default 10 000 ms). Each lifecycle state is named in both.
import { describe, expect, test } from 'vitest';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from '../../packages/core/src/runtime/shutdown-drain.js';
import { DEFAULT_EXPORT_FAILURES_UNTIL_UNREADY } from '../../packages/otel-bridge/src/health/health.js';
import { readMarkdown } from './markdown.js';

const STATES = ['initializing', 'running', 'draining', 'drained', 'failed'];

function section(file: string, heading: string): string {
  const text = readMarkdown(file);
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`${file} has no "${heading}" section`);
  const end = text.indexOf('\n## ', start + heading.length + 2);
  return text.slice(start, end < 0 ? undefined : end);
}

describe('the health and lifecycle docs state the code defaults', () => {
  const readme = section('README.md', '## Health and lifecycle');
  const guide = section('docs/production.md', '## Health and lifecycle');

  test.each([
    ['README.md', readme],
    ['docs/production.md', guide],
  ])('%s: the states, the probes and the readiness default', (_, text) => {
    for (const state of STATES) expect(text).toContain(state);
    for (const path of ['/healthz', '/readyz', 'pipeline.requestHandler'])
      expect(text).toContain(path);
    expect(text).toContain('health.exportFailuresUntilUnready');
    expect(text).toMatch(
      new RegExp(
        `exportFailuresUntilUnready\`?,?\\s+default ${DEFAULT_EXPORT_FAILURES_UNTIL_UNREADY}\\b`,
      ),
    );
  });

  test("the guide's drain deadline is shutdown()'s default", () => {
    const written = DEFAULT_SHUTDOWN_TIMEOUT_MS.toLocaleString('en-US').replace(',', ' ');
    expect(guide).toContain(`default ${written} ms`);
  });
});
