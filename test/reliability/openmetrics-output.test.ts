import {
  counter,
  exponentialHistogram,
  gauge,
  histogram,
  MetricsRuntime,
  upDownCounter,
} from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline, type OtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { trace } from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricOfEveryKind, REGISTERED_KINDS } from '../support/kind-fixtures.js';
import {
  findOpenMetricsParser,
  type ParsedFamily,
  parseOpenMetrics,
} from '../support/openmetrics.js';
import { findBinary, promtoolCheck } from '../support/prometheus.js';

const python = findOpenMetricsParser();
const promtool = findBinary('promtool');
const ACCEPT = 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5';
const BUCKETS = [1, 10];

interface Input {
  type: 'in';
  attrs: unknown;
  v: unknown;
}
const metrics = () => [
  counter<Input>({
    name: 'in.count',
    unit: '{event}',
    on: 'in',
    attributes: (e) => e.attrs as Record<string, unknown>,
  }),
  counter<Input>({ name: 'in.value', unit: 's', on: 'in', value: (e) => e.v as number }),
  upDownCounter<Input>({ name: 'in.delta', on: 'in', value: (e) => e.v as number }),
  gauge<Input>({ name: 'in.last', unit: '1', on: 'in', value: (e) => e.v as number }),
  histogram<Input>({
    name: 'in.dist',
    unit: 'By',
    on: 'in',
    value: (e) => e.v as number,
    attributes: (e) => e.attrs as Record<string, unknown>,
    buckets: BUCKETS,
  }),
  // values of both signs: OpenMetrics then allows no _sum (nor _count without it)
  exponentialHistogram<Input>({
    name: 'in.spread',
    unit: 's',
    on: 'in',
    value: (e) => e.v as number,
    attributes: (e) => e.attrs as Record<string, unknown>,
  }),
  // and a metric of every kind in core's registry, fed the same input as it is (named by its
  // place in the registry: promtool's lint refuses a kind's name inside a metric name)
  ...metricOfEveryKind<Input>((kind) => ({
    name: `registered.k${REGISTERED_KINDS.indexOf(kind)}`,
    on: 'in',
    value: (e) => e.v as number,
    attributes: (e) => e.attrs as Record<string, unknown>,
    buckets: BUCKETS,
  })),
];

/** The exponential histogram's family: in the text formats one `+Inf` bucket, count and sum. */
const SPREAD = 'rel_in_spread_seconds';

/** Every exemplar in a parsed body: inside its bucket, finite, within the 128-character label limit. */
function expectExemplarsValid(families: ParsedFamily[]): number {
  let seen = 0;
  for (const family of families) {
    for (const sample of family.samples) {
      const exemplar = sample.exemplar;
      if (exemplar === null) continue;
      seen++;
      expect(Number.isFinite(exemplar.value)).toBe(true);
      const chars = Object.entries(exemplar.labels).reduce(
        (n, [k, v]) => n + k.length + v.length,
        0,
      );
      expect(chars).toBeLessThanOrEqual(128);
      if (family.name === SPREAD) {
        // its one bucket is +Inf: any finite exemplar lies inside
        expect(sample.name).toBe(`${SPREAD}_bucket`);
        expect(sample.labels.le).toBe('+Inf');
      } else if (sample.name.endsWith('_bucket')) {
        const le =
          sample.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(sample.labels.le);
        // the bucket's lower bound is the family's next smaller `le` (an exponential histogram
        // prints its +Inf bucket only: every value is inside it)
        const bounds = family.samples
          .filter((s) => s.name.endsWith('_bucket'))
          .map((s) => (s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le)));
        const lower = Math.max(Number.NEGATIVE_INFINITY, ...bounds.filter((b) => b < le));
        expect(exemplar.value).toBeLessThanOrEqual(le);
        expect(exemplar.value).toBeGreaterThan(lower);
      } else {
        expect(family.type).toBe('counter');
      }
    }
  }
  return seen;
}

describe.skipIf(python === undefined)(
  'bad input never breaks OpenMetrics or the text format',
  () => {
    let pipeline: OtelPipeline;
    let runtime: MetricsRuntime;
    let detach: () => void;
    let recorders = 0;
    const tracer = new TracerProvider().getTracer('rel');

    beforeAll(async () => {
      pipeline = await createOtelPipeline({
        serviceName: 'reliability "om"\nline',
        prometheus: { host: '127.0.0.1', port: 0 },
        otlp: false,
      });
      runtime = new MetricsRuntime({ namespace: 'rel', onError: () => {} });
      runtime.start();
      // always_on: every measurement is an exemplar candidate, inside a span or not
      detach = attachOtelBridge(runtime, {
        meterProvider: pipeline.meterProvider,
        exemplarFilter: 'always_on',
      }).detach;
    });
    afterAll(async () => {
      detach?.();
      await runtime?.shutdown();
      await pipeline?.shutdown();
    });

    async function bodies(): Promise<{ om: string; text: string }> {
      const url = pipeline.prometheusUrl as string;
      const om = await (await fetch(url, { headers: { accept: ACCEPT } })).text();
      const text = await (await fetch(url)).text();
      return { om, text };
    }

    function expectBothValid({ om, text }: { om: string; text: string }): number {
      const exemplars = expectExemplarsValid(parseOpenMetrics(python as string, om));
      if (promtool !== undefined) {
        const { status, output } = promtoolCheck(promtool, text);
        expect(output).toBe('');
        expect(status).toBe(0);
      }
      return exemplars;
    }

    it('accepts any attribute set and any value, inside a sampled span or outside one', async () => {
      const key = fc.string({
        unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
        maxLength: 6,
      });
      const value = fc.oneof(
        key,
        fc.constantFrom('say "hi"', 'C:\\dir\\', 'one\ntwo', '# {trace_id="x"} 1', '} 1 # EOF'),
        fc.double(),
        fc.boolean(),
        fc.constant(undefined),
      );
      const measurement = fc.oneof(
        fc.double(),
        fc.constantFrom(0, 1, 10, -0, 1e308, -1e308, 5e-324, 1e21, Number.MAX_SAFE_INTEGER),
      );
      const event = fc.record({
        attrs: fc.dictionary(key, value, { maxKeys: 4 }),
        v: measurement,
        traced: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 12 }), async (events) => {
          const recorder = runtime.createRecorder(`fc-${recorders++}`, { metrics });
          for (const { attrs, v, traced } of events) {
            const register = () => recorder.registerEvent({ type: 'in', attrs, v });
            if (!traced) {
              register();
              continue;
            }
            tracer.startActiveSpan('request', (span) => {
              register();
              span.end();
            });
          }
          await recorder.flush();
          expect(expectBothValid(await bodies())).toBeGreaterThan(0);
          await runtime.removeRecorder(recorder.name);
        }),
        { numRuns: 25 },
      );
    });

    it('keeps exemplar trace ids of the span active at registration', async () => {
      const recorder = runtime.createRecorder(`traced-${recorders++}`, { metrics });
      const ids: string[] = [];
      tracer.startActiveSpan('request', (span) => {
        ids.push(trace.getActiveSpan()?.spanContext().traceId ?? '');
        recorder.registerEvent({ type: 'in', attrs: { q: 'say "hi"\n' }, v: 5 });
        span.end();
      });
      await recorder.flush();
      const { om } = await bodies();
      const mine = parseOpenMetrics(python as string, om)
        .flatMap((f) => f.samples)
        .filter((s) => s.labels.recorder === recorder.name && s.exemplar !== null);
      expect(mine.length).toBeGreaterThan(0);
      for (const sample of mine) expect(sample.exemplar?.labels.trace_id).toBe(ids[0]);
    });

    it("prints a family for every kind in core's registry, which Python's parser reads", async () => {
      const recorder = runtime.createRecorder(`kinds-${recorders++}`, { metrics });
      recorder.registerEvent({ type: 'in', attrs: { k: 'v' }, v: 3 });
      await recorder.flush();
      const { om, text } = await bodies();
      expectBothValid({ om, text });
      const families = parseOpenMetrics(python as string, om);
      for (const kind of REGISTERED_KINDS) {
        const family = families.find(
          (f) => f.name === `rel_registered_k${REGISTERED_KINDS.indexOf(kind)}`,
        );
        const mine = family?.samples.filter((s) => s.labels.recorder === recorder.name);
        expect(mine?.length ?? 0, kind).toBeGreaterThan(0);
      }
      await runtime.removeRecorder(recorder.name);
    });
  },
);
