import { describe, expect, test } from 'vitest';
import { counter } from '../metrics/index.js';
import { MetricsRuntime } from '../runtime/index.js';
import { connectRecorder } from './connect-recorder.js';

// Issue 21, item 3: an attribute value computed in the owning thread from a worker's event keeps
// the type the worker gave the event's field (structured clone keeps numbers, NaN, -0, booleans).

describe('typed attributes across a worker connection (both ends in one thread)', () => {
  test('a number stays a number, a boolean a boolean, a numeric string a string', async () => {
    const runtime = new MetricsRuntime({ namespace: 'test', onError: () => {} });
    runtime.start();
    const recorder = runtime.createRecorder('http', {
      metrics: [
        counter<{ status: unknown; ok: unknown }>({
          name: 'responses',
          on: 'response',
          attributes: (e) => ({ 'http.response.status_code': e.status, ok: e.ok }),
        }),
      ],
    });
    const remote = connectRecorder(runtime.exposeRecorder('http').handle());
    for (const [status, ok] of [
      [413, false],
      ['413', 'false'],
      [0.5, true],
      [-0, true],
      [Number.NaN, true],
      [1e21, true],
    ]) {
      remote.registerEvent({ type: 'response', status, ok });
    }
    await remote.flush();
    const attributes = recorder.getMetricSnapshots()[0]?.points.map((p) => p.attributes);
    expect(attributes).toEqual([
      { 'http.response.status_code': 413, ok: false },
      { 'http.response.status_code': '413', ok: 'false' },
      { 'http.response.status_code': 0.5, ok: true },
      { 'http.response.status_code': 0, ok: true },
      { 'http.response.status_code': Number.NaN, ok: true },
      { 'http.response.status_code': 1e21, ok: true },
    ]);
    await runtime.shutdown();
  });
});
