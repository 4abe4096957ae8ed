import { describe, expect, test } from 'vitest';
import { fitToWidth } from './format.js';
import { pointerLines } from './pointers.js';
import { renderFrame } from './render.js';
import type { ViewModel } from './view-model.js';

// The live view cuts every line to the terminal's width minus one column (a line that fills the
// last column wraps on some terminals). On an 80-column terminal nothing may need cutting.
const COLUMNS = 80;
const fits = (line: string) => fitToWidth(line, COLUMNS - 1) === line;
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI colours
const plain = (line: string) => line.replace(/\x1b\[[0-9;]*m/g, '');

/** A day of `npm start` at a high load rate: counts with seven and eight digits. */
const busyDay: ViewModel = {
  windowSeconds: 10,
  requests: {
    total: 34_560_000,
    perSecond: 400.4,
    perSecondByMethod: { PUT: 206.3, GET: 139.4, DELETE: 57.2 },
  },
  saves: { totals: { success: 16_400_000, invalid: 660_000, failure: 660_000 }, perSecond: 206.3 },
  latency: { p50: 0.0065, p90: 0.021, p99: 0.269, count: 12_345, sinceStart: false },
  documents: 1_234_567,
  bytes: 5.5 * 1024 ** 3,
  recorders: { alive: 1_002, connections: 1_000 },
  scopes: Array.from({ length: 1_000 }, (_, i) => ({
    name: `connection-${String(i + 1).padStart(3, '0')}`,
    requests: 123_456 + i,
  })),
  pipeline: { processed: 123_456_789, pending: 65_536, dropped: 12_345_678, failed: 1_234 },
};

const targets = {
  serviceUrl: 'http://127.0.0.1:65535',
  metricsUrl: 'http://127.0.0.1:65535/metrics',
  otlp: undefined,
};

function frame(color: boolean): string[] {
  return renderFrame(
    busyDay,
    {
      title: 'MVX Metrics · document-storage',
      instanceId: 'docs-1',
      pointers: pointerLines(targets),
    },
    {
      uptimeSeconds: 86_399,
      load: {
        sent: 34_560_000,
        saves: { success: 16_400_000, invalid: 660_000, failure: 660_000 },
        reads: { found: 1, missing: 1 },
        deletes: { deleted: 1, missing: 1 },
        errors: 12_345,
        unexpected: {},
      },
      connectionsOpened: 2_345_678,
      color,
      footer: 'Ctrl-C drains the recorders, exports once more and exits.',
    },
  );
}

describe('the live view at 80 columns', () => {
  test.each([false, true])('no line of a busy frame needs cutting (colour %s)', (color) => {
    const lines = frame(color);
    const cut = lines.filter((line) => !fits(line)).map(plain);
    expect(cut, `lines wider than ${COLUMNS - 1} columns`).toEqual([]);
  });

  test('every hint line is shown whole, with its full command or URL', () => {
    const text = frame(false).join('\n');
    for (const [label, hint] of pointerLines(targets)) {
      expect(text).toContain(`  ${label.padEnd(11)}${hint}`);
    }
    expect(text).toContain('docker compose -f packages/examples/deploy/compose.yaml up -d');
    expect(text).toContain('http://localhost:16686');
  });

  test('with OTLP on, the hint says what is pushed', () => {
    const hints = pointerLines({ ...targets, otlp: 'metrics http/protobuf, traces http/protobuf' });
    expect(hints).toContainEqual(['OTLP', 'metrics http/protobuf, traces http/protobuf']);
  });
});
