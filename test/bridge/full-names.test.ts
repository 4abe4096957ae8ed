import { histogram, MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge, createMetricProducer } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline, type OtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import type { MeterProvider as ApiMeterProvider } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanUpAfterEach, exportedSeries, TestReader } from './helpers.js';

// A metric that declares its full OpenTelemetry name (`namespace: false`) is exported exactly as
// sdk-metrics exports its own instrument of that name in the runtime's meter: same name, scope,
// unit, description and points, on the producer path, the instruments path and /metrics.

const { cleanups } = cleanUpAfterEach();

const NAME = 'http.server.request.duration';
const DESCRIPTION = 'Duration of HTTP server requests.';
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Request {
  readonly attributes: Record<string, string>;
  readonly seconds: number;
}

const requests: fc.Arbitrary<Request[]> = fc.array(
  fc.record({
    attributes: fc.record({
      'http.request.method': fc.constantFrom('GET', 'PUT', '_OTHER'),
      'url.scheme': fc.constantFrom('http', 'https'),
      'http.response.status_code': fc.constantFrom('200', '201', '404', '500'),
    }),
    seconds: fc.double({ min: 0, max: 20, noNaN: true }),
  }),
  { minLength: 1, maxLength: 40 },
);

/** The requests through sdk-metrics' own histogram `http.server.request.duration` (meter `docs`). */
function throughSdk(provider: ApiMeterProvider, work: Request[]): void {
  const h = provider.getMeter('docs').createHistogram(NAME, {
    unit: 's',
    description: DESCRIPTION,
    advice: { explicitBucketBoundaries: BUCKETS },
  });
  for (const { attributes, seconds } of work) h.record(seconds, attributes);
}

/** The same requests as domain events, through a bridged core histogram declared with its full name. */
async function throughBridge(
  bridge: Parameters<typeof attachOtelBridge>[1],
  work: Request[],
): Promise<void> {
  const runtime = new MetricsRuntime({ namespace: 'docs' });
  runtime.start();
  const attached = attachOtelBridge(runtime, { ...bridge, recorderAttribute: false });
  cleanups.push(attached.detach, () => runtime.shutdown());
  const recorder = runtime.createRecorder('http_server', {
    metrics: [
      histogram({
        name: NAME,
        namespace: false,
        description: DESCRIPTION,
        unit: 's',
        buckets: BUCKETS,
        on: 'request',
        attributes: (e: Request) => e.attributes,
        value: (e: Request) => e.seconds,
      }),
    ],
  });
  for (const request of work) recorder.registerEvent({ type: 'request', ...request });
  await recorder.flush();
}

function descriptors(data: Awaited<ReturnType<TestReader['read']>>) {
  return data.scopeMetrics.flatMap((s) =>
    s.metrics
      .filter((m) => !m.descriptor.name.startsWith('mvx.'))
      // `type` (deprecated in sdk-metrics) is the one field the producer path's descriptors leave out
      .map((m) => ({ scope: s.scope.name, ...m.descriptor, advice: undefined, type: undefined })),
  );
}

describe('a metric declared with its full OpenTelemetry name (namespace: false)', () => {
  it('producer and instruments paths export what sdk-metrics exports for its own instrument of that name', async () => {
    await fc.assert(
      fc.asyncProperty(requests, async (work) => {
        const sdkReader = new TestReader();
        throughSdk(new MeterProvider({ readers: [sdkReader] }), work);
        const sdk = await sdkReader.read();

        const producer = createMetricProducer();
        const producerReader = new TestReader([producer]);
        new MeterProvider({ readers: [producerReader] });
        await throughBridge({ metricProducer: producer }, work);
        const viaProducer = await producerReader.read();

        const instrumentsReader = new TestReader();
        await throughBridge(
          { meterProvider: new MeterProvider({ readers: [instrumentsReader] }) },
          work,
        );
        const viaInstruments = await instrumentsReader.read();

        const expected = exportedSeries(sdk);
        expect(expected[0]?.name).toBe(NAME);
        expect(exportedSeries(viaProducer)).toEqual(expected);
        expect(exportedSeries(viaInstruments)).toEqual(expected);
        expect(descriptors(viaProducer)).toEqual(descriptors(sdk));
        expect(descriptors(viaInstruments)).toEqual(descriptors(sdk));
        for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
      }),
      { numRuns: 15 },
    );
  });

  it('/metrics: the family the pipeline serves for sdk-metrics’ instrument, http_server_request_duration_seconds', async () => {
    const work = fc.sample(requests, { numRuns: 1, seed: 21 })[0] as Request[];
    const pipeline = async () => {
      const p = await createOtelPipeline({
        serviceName: 'full-names',
        prometheus: { host: '127.0.0.1', port: 0 },
        otlp: false,
        registerGlobals: false,
      });
      cleanups.push(() => p.shutdown());
      return p;
    };
    // Label order carries no meaning in the exposition format: core keeps attributes sorted.
    const sortedLabels = (line: string) =>
      line.replace(/\{([^}]*)\}/, (_, labels: string) => `{${labels.split(',').sort().join(',')}}`);
    const family = async (p: OtelPipeline) =>
      (await (await fetch(p.prometheusUrl as string)).text())
        .split('\n')
        .filter((line) => line.includes('http_server_request_duration'))
        .map(sortedLabels)
        .sort();
    const sdkSide = await pipeline();
    throughSdk(sdkSide.meterProvider, work);
    const bridgeSide = await pipeline();
    await throughBridge({ meterProvider: bridgeSide.meterProvider }, work);
    const expected = await family(sdkSide);
    expect(expected).toContainEqual(
      expect.stringMatching(/^http_server_request_duration_seconds_count\{/),
    );
    expect(await family(bridgeSide)).toEqual(expected);
  });

  it('without it, the name takes the runtime namespace as before', async () => {
    const runtime = new MetricsRuntime({ namespace: 'docs' });
    runtime.start();
    const producer = createMetricProducer();
    const reader = new TestReader([producer]);
    new MeterProvider({ readers: [reader] });
    const bridge = attachOtelBridge(runtime, { metricProducer: producer });
    cleanups.push(bridge.detach, () => runtime.shutdown());
    const recorder = runtime.createRecorder('r', {
      metrics: [histogram({ name: NAME, on: 'request', value: () => 1 })],
    });
    recorder.registerEvent({ type: 'request' });
    await recorder.flush();
    expect(exportedSeries(await reader.read()).map((s) => s.name)).toEqual([`docs.${NAME}`]);
  });

  it('rejects a namespace option other than false at definition', () => {
    for (const namespace of [true, 'docs', 0, null]) {
      expect(() =>
        histogram({ name: NAME, namespace: namespace as false, on: 'x', value: () => 1 }),
      ).toThrow(/namespace must be false/);
    }
  });
});
