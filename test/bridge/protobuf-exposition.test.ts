// The protobuf exposition carries the same series as the text format: every family, label set and
// value of the text body appears in the decoded MetricFamily messages (decoded with protobufjs and
// the vendored client_model definition), exponential histograms as native histograms.
import { counter, exponentialHistogram, gauge, histogram, upDownCounter } from '@mvx-metrics/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSamples, type Sample } from '../support/prometheus.js';
import { decodeMetricFamilies } from '../support/prometheus-protobuf.js';
import { type ServedRuntime, startServedRuntime } from '../support/served-runtime.js';

const ACCEPT =
  'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3';

interface Decoded {
  name: string;
  type: string;
  metric: Array<{
    label?: Array<{ name: string; value: string }>;
    counter?: { value: number };
    gauge?: { value: number };
    histogram?: {
      sampleCount: number;
      sampleSum: number;
      bucket?: Array<{ cumulativeCount: number; upperBound: number }>;
      schema?: number;
      zeroCount?: number;
      positiveSpan?: Array<{ offset: number; length: number }>;
      positiveDelta?: number[];
    };
  }>;
}

const decode = (body: Uint8Array): Decoded[] => decodeMetricFamilies<Decoded>(body);

/** The decoded families as text-format samples (native histograms as their count and sum). */
function asSamples(families: Decoded[]): Sample[] {
  const out: Sample[] = [];
  for (const family of families) {
    for (const metric of family.metric) {
      const labels = Object.fromEntries((metric.label ?? []).map((l) => [l.name, l.value]));
      const h = metric.histogram;
      if (metric.counter) out.push({ name: family.name, labels, value: metric.counter.value });
      else if (metric.gauge) out.push({ name: family.name, labels, value: metric.gauge.value });
      else if (h) {
        out.push({ name: `${family.name}_count`, labels, value: h.sampleCount });
        out.push({ name: `${family.name}_sum`, labels, value: h.sampleSum });
        const buckets = h.bucket ?? [];
        for (const b of buckets) {
          const le = b.upperBound === Number.POSITIVE_INFINITY ? '+Inf' : String(b.upperBound);
          out.push({
            name: `${family.name}_bucket`,
            labels: { ...labels, le },
            value: b.cumulativeCount,
          });
        }
        if (buckets.length === 0) {
          out.push({
            name: `${family.name}_bucket`,
            labels: { ...labels, le: '+Inf' },
            value: h.sampleCount,
          });
        }
      }
    }
  }
  return out;
}

const key = (s: Sample) => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`;

describe('the protobuf exposition', () => {
  let served: ServedRuntime;
  beforeAll(async () => {
    served = await startServedRuntime('pb', 'protobuf "exposition"');
    const recorder = served.runtime.createRecorder('r1', {
      metrics: () => [
        counter({
          name: 'saves',
          on: 'e',
          attributes: (e: { k: string }) => ({ k: e.k, 'odd key': 'v"\n' }),
        }),
        upDownCounter({ name: 'open', on: 'e', value: (e: { v: number }) => e.v }),
        gauge({ name: 'level', unit: '1', on: 'e', value: (e: { v: number }) => e.v }),
        histogram({
          name: 'size',
          unit: 'By',
          on: 'e',
          value: (e: { v: number }) => Math.abs(e.v),
          buckets: [1, 10],
        }),
        exponentialHistogram({
          name: 'latency',
          unit: 's',
          on: 'e',
          value: (e: { v: number }) => e.v,
        }),
      ],
    });
    for (const [k, v] of [
      ['a', 0.5],
      ['b', -3],
      ['a', 12],
      ['c', 0],
      ['a', 7e-5],
    ] as const) {
      recorder.registerEvent({ type: 'e', k, v });
    }
    await recorder.flush();
  });
  afterAll(() => served?.close());

  it('is served to a scraper that asks for it, with its content type', async () => {
    const response = await fetch(served.pipeline.prometheusUrl as string, {
      headers: { accept: ACCEPT },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(
      'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited',
    );
    const families = decode(new Uint8Array(await response.arrayBuffer()));
    expect(families.map((f) => f.name)).toEqual(
      expect.arrayContaining(['target_info', 'pb_saves_total', 'pb_latency_seconds']),
    );
    const latency = families.find((f) => f.name === 'pb_latency_seconds');
    expect(latency?.type).toBe('HISTOGRAM');
    const native = latency?.metric[0]?.histogram;
    expect(native).toMatchObject({ sampleCount: 5, zeroCount: 1 });
    expect(native?.schema).toBeLessThanOrEqual(8);
  });

  it('carries every series and value of the text format', async () => {
    const url = served.pipeline.prometheusUrl as string;
    const text = await (await fetch(url)).text();
    const response = await fetch(url, { headers: { accept: ACCEPT } });
    const fromProtobuf = new Map(
      asSamples(decode(new Uint8Array(await response.arrayBuffer()))).map((s) => [key(s), s.value]),
    );
    const fromText = parseSamples(text);
    expect(fromText.length).toBeGreaterThan(15);
    for (const sample of fromText) {
      expect({ sample: key(sample), value: fromProtobuf.get(key(sample)) }).toEqual({
        sample: key(sample),
        value: sample.value,
      });
    }
  });
});
