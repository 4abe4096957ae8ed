import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { BatchDecoder } from '../events/batch-decoder.js';
import { BatchEncoder } from '../events/batch-encoder.js';
import { counter } from '../metrics/index.js';
import { createTestRecorder } from '../testing/index.js';

// Issue 21, item 3: an attribute the primary computes from a worker process's event (the batch codec
// of events/, which worker threads use too) keeps the
// type the worker gave the field. The batch carries numbers and booleans as they are; what the
// IPC channel's serialisation does to them is what arrives (JSON: NaN and ±Infinity become null,
// so the attribute is left out, and -0 becomes 0; `serialization: 'advanced'` keeps them).

const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const viaV8 = <T>(value: T): T => deserialize(serialize(value)) as T;

function attributesAfter(channel: <T>(value: T) => T): unknown[] {
  const events = [413, '413', 0.5, true, 'true', -0, Number.NaN, 1e21].map((status) => ({
    type: 'response',
    status,
  }));
  const decoded = new BatchDecoder().decode(channel({ ...new BatchEncoder().encode(events) }));
  const recorder = createTestRecorder([
    counter<{ status: unknown }>({
      name: 'responses',
      on: 'response',
      attributes: (e) => ({ 'http.response.status_code': e.status }),
    }),
  ]);
  for (const event of decoded) recorder.registerEvent(event);
  return recorder.getMetricSnapshots()[0]?.points.map((p) => p.attributes) ?? [];
}

describe('typed attributes across the cluster batch codec', () => {
  it('keeps numbers and booleans typed over the JSON channel (NaN arrives as null: no attribute)', () => {
    expect(attributesAfter(viaJson)).toEqual([
      { 'http.response.status_code': 413 },
      { 'http.response.status_code': '413' },
      { 'http.response.status_code': 0.5 },
      { 'http.response.status_code': true },
      { 'http.response.status_code': 'true' },
      { 'http.response.status_code': 0 },
      {},
      { 'http.response.status_code': 1e21 },
    ]);
  });

  it("keeps every number, NaN included, over the 'advanced' channel", () => {
    expect(attributesAfter(viaV8)).toEqual([
      { 'http.response.status_code': 413 },
      { 'http.response.status_code': '413' },
      { 'http.response.status_code': 0.5 },
      { 'http.response.status_code': true },
      { 'http.response.status_code': 'true' },
      { 'http.response.status_code': 0 },
      { 'http.response.status_code': Number.NaN },
      { 'http.response.status_code': 1e21 },
    ]);
  });
});
