import { Writable } from 'node:stream';
import { createTestRecorder } from '@mvx-metrics/core/testing';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { storageMetrics } from '../metrics/storage-metrics.js';
import { DocumentSaveAttempt } from '../storage/events.js';
import { LiveView } from './live-view.js';
import { ViewSampler } from './view-model.js';

function capture() {
  const chunks: string[] = [];
  const output = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  return { output, text: () => chunks.join(''), chunks };
}

function view(interactive: boolean) {
  const storage = createTestRecorder(storageMetrics(), { name: 'document_storage' });
  storage.registerEvent(new DocumentSaveAttempt('success', 0.004));
  const out = capture();
  const live = new LiveView({
    sampler: new ViewSampler(() => [storage], {
      storage: 'document_storage',
      http: 'http_server',
      connectionPrefix: 'connection-',
    }),
    info: { title: 'Example', instanceId: 'i-1', pointers: [['Prometheus', 'http://x/metrics']] },
    output: out.output,
    interactive,
    intervalMs: 1000,
  });
  return { live, out };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('LiveView', () => {
  test('on a terminal, redraws the frame in place every interval and shows the cursor again at stop', () => {
    const { live, out } = view(true);
    live.start();
    vi.advanceTimersByTime(3000);
    expect(out.chunks).toHaveLength(4); // first frame at start, then one per second
    expect(out.chunks[0]).toContain('\x1b[?25l'); // cursor hidden
    expect(out.chunks[0]).toContain('\x1b[2J'); // screen cleared once
    expect(out.chunks[1]?.startsWith('\x1b[H')).toBe(true); // later frames: home, overwrite
    expect(out.chunks[1]).not.toContain('\x1b[2J');
    live.stop('stopped by test');
    expect(out.text()).toContain('stopped by test');
    expect(out.text().endsWith('\x1b[?25h')).toBe(true);
    vi.advanceTimersByTime(5000);
    expect(out.chunks).toHaveLength(6); // nothing after stop
  });

  test('without a terminal, prints one plain line every five seconds and one at stop', () => {
    const { live, out } = view(false);
    live.start();
    vi.advanceTimersByTime(10_000);
    live.stop();
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(3); // t=5 s, t=10 s, stop (nothing at t=0: all zeros then)
    expect(out.text()).not.toContain('\x1b');
    expect(lines[0]).toMatch(/saves success 100\.0%/);
  });
});
