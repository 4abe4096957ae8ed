// The frame of the live view the README shows is the one the view renders (plain text), for the
// figures it shows, and it fits an 80-column terminal.
import { describe, expect, test } from 'vitest';
import { fitToWidth } from '../../packages/examples/src/view/format.js';
import { pointerLines } from '../../packages/examples/src/view/pointers.js';
import { renderFrame } from '../../packages/examples/src/view/render.js';
import type { ViewModel } from '../../packages/examples/src/view/view-model.js';
import { codeBlocks } from './markdown.js';

const shownFrame = () => {
  const block = codeBlocks('README.md').find((b) => b.marker?.startsWith('live-view'));
  if (block === undefined) throw new Error('the README shows no <!-- live-view --> frame');
  return block.code.replace(/\n$/, '');
};

/** The figures of the README's frame: 29 s of `npm start` at the default 40 requests/s. */
const model: ViewModel = {
  windowSeconds: 9,
  requests: {
    total: 1159,
    perSecond: 40.1,
    perSecondByMethod: { PUT: 20.6, GET: 13.9, DELETE: 5.7 },
  },
  saves: { totals: { success: 543, invalid: 22, failure: 22 }, perSecond: 20.6 },
  latency: { p50: 0.006, p90: 0.021, p99: 0.269, count: 185, sinceStart: false },
  documents: 251,
  bytes: 1024 * 1024,
  recorders: { alive: 5, connections: 3 },
  scopes: [
    { name: 'connection-005', requests: 190 },
    { name: 'connection-007', requests: 69 },
    { name: 'connection-008', requests: 3 },
  ],
  pipeline: { processed: 3591, pending: 0, dropped: 0, failed: 0 },
};

describe("the README's live view frame", () => {
  const rendered = renderFrame(
    model,
    {
      title: 'MVX Metrics · document-storage',
      instanceId: 'docs-1',
      pointers: pointerLines({
        serviceUrl: 'http://127.0.0.1:8080',
        metricsUrl: 'http://127.0.0.1:9464/metrics',
        probes: {
          liveness: 'http://127.0.0.1:9464/healthz',
          readiness: 'http://127.0.0.1:9464/readyz',
        },
        otlp: undefined,
      }),
    },
    {
      uptimeSeconds: 29,
      load: {
        sent: 1159,
        saves: { success: 543, invalid: 22, failure: 22 },
        reads: { found: 300, missing: 100 },
        deletes: { deleted: 120, missing: 30 },
        errors: 0,
        unexpected: {},
      },
      connectionsOpened: 8,
      color: false,
      footer: 'Ctrl-C drains the recorders, exports once more and exits.',
    },
  );

  test('is what renderFrame draws for its figures', () => {
    expect(shownFrame()).toBe(rendered.join('\n'));
  });

  test('fits 80 columns (the view cuts at the width minus one)', () => {
    for (const line of shownFrame().split('\n')) expect(fitToWidth(line, 79)).toBe(line);
  });
});
