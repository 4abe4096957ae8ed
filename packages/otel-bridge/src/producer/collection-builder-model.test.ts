// CollectionBuilder against a model: whatever views come in, in whatever order (recorder attribute
// on or off, under either key, the same recorder name in two runtimes, a point's own attribute
// overwritten by the recorder attribute, fresh and stale data points), a collection exports each
// attribute set once, its value the sum of all, its start the earliest, its exemplar the latest.
// The builder only hashes attributes once a collision is possible; the model always does.
import type { HrTime, Attributes as OtelAttributes } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OtelBridgeError } from '../errors/otel-bridge-error.js';
import type { MetricExemplars } from '../exemplars/recorder-exemplars.js';
import type { BridgeExemplar, ExemplarCarrier } from '../exemplars/types.js';
import { Reporter } from '../internal/report.js';
import { adapterFor } from '../kinds/index.js';
import type { MirroredHistogram, MirroredMetric } from '../mirror/types.js';
import type { SelfInstrument } from '../telemetry/self-telemetry.js';
import { CollectionBuilder } from './collection-builder.js';

const END: HrTime = [90, 0];
const RECORDER_KEYS = ['recorder', 'service.recorder'] as const;

interface ViewSpec {
  owner: { key: string; value: string } | undefined;
  own: Array<{ attributes: Record<string, string>; value: number; exemplar: boolean }>;
  start: number;
  points: 'copied' | 'fresh' | 'fresh, another end' | 'fresh, another start';
}

const viewSpec: fc.Arbitrary<ViewSpec> = fc.record({
  owner: fc.option(
    fc.record({ key: fc.constantFrom(...RECORDER_KEYS), value: fc.constantFrom('a', 'b') }),
    { nil: undefined },
  ),
  // A recorder's own attribute sets are distinct; the recorder attribute may overwrite one of them.
  own: fc.uniqueArray(
    fc.record({
      attributes: fc.dictionary(
        fc.constantFrom('k', ...RECORDER_KEYS),
        fc.constantFrom('a', 'b', 'x'),
        { maxKeys: 2 },
      ),
      value: fc.integer({ min: 0, max: 100 }),
      exemplar: fc.boolean(),
    }),
    { maxLength: 3, selector: (point) => keyOf(point.attributes) },
  ),
  start: fc.integer({ min: 1, max: 9 }),
  points: fc.constantFrom('copied', 'fresh', 'fresh, another end', 'fresh, another start'),
});

function keyOf(attributes: OtelAttributes): string {
  return JSON.stringify(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : 1)));
}

interface Built {
  view: MirroredMetric;
  exemplars: MetricExemplars;
  expected: Array<{ attributes: OtelAttributes; value: number; exemplar?: BridgeExemplar }>;
}

/** The view a recorder's mirror would hand over, and its exemplar store (a stand-in). */
function build(spec: ViewSpec, index: number): Built {
  const startTime: HrTime = [spec.start, 0];
  const byAttributes = new Map<object, BridgeExemplar[]>();
  const expected: Built['expected'] = [];
  const points = spec.own.map((point, i) => {
    const attributes =
      spec.owner === undefined
        ? point.attributes
        : { ...point.attributes, [spec.owner.key]: spec.owner.value };
    const exemplar = { value: point.value, time: index * 10 + i, traceId: '', spanId: '' };
    if (point.exemplar) byAttributes.set(attributes, [exemplar]);
    expected.push({ attributes, value: point.value, ...(point.exemplar ? { exemplar } : {}) });
    if (spec.points === 'copied') return { attributes, value: point.value };
    return {
      startTime: spec.points === 'fresh, another start' ? ([0, 5] as HrTime) : startTime,
      endTime: spec.points === 'fresh, another end' ? ([89, 0] as HrTime) : END,
      attributes,
      value: point.value,
    };
  });
  const keys = new Set(expected.map((point) => keyOf(point.attributes)));
  const view: MirroredMetric = {
    instrumentName: 'ns.hits',
    adapter: adapterFor({ name: 'ns.hits', kind: 'counter' }),
    unit: '1',
    description: 'hits',
    startTime,
    points,
    owner: spec.owner,
    overlapping: keys.size < expected.length,
    ...(spec.points === 'copied' ? {} : { fresh: true }),
  };
  const exemplars = {
    collect(attributes: OtelAttributes, skip: string | undefined) {
      expect(skip).toBe(spec.owner?.key);
      return byAttributes.get(attributes);
    },
    sweep() {},
  } as unknown as MetricExemplars;
  return { view, exemplars, expected };
}

describe('CollectionBuilder (model)', () => {
  it('exports each attribute set once: values added, earliest start, latest exemplar, whatever views come in', () => {
    fc.assert(
      fc.property(fc.array(viewSpec, { maxLength: 6 }), (specs) => {
        const builder = new CollectionBuilder(END);
        const model = new Map<
          string,
          { attributes: OtelAttributes; value: number; start: number; exemplar?: BridgeExemplar }
        >();
        specs.forEach((spec, index) => {
          const { view, exemplars, expected } = build(spec, index);
          builder.addMetric('ns', view, undefined, exemplars);
          for (const point of expected) {
            const key = keyOf(point.attributes);
            const known = model.get(key);
            if (known === undefined) {
              model.set(key, { ...point, start: spec.start });
              continue;
            }
            known.value += point.value;
            known.start = Math.min(known.start, spec.start);
            if (point.exemplar !== undefined) known.exemplar = point.exemplar; // later time
          }
        });
        expect(builder.errors).toEqual([]);
        const exported = (builder.scopeMetrics()[0]?.metrics[0]?.dataPoints ?? []).map((point) => ({
          key: keyOf(point.attributes),
          startTime: point.startTime,
          endTime: point.endTime,
          value: point.value,
          exemplars: (point as ExemplarCarrier).exemplars,
        }));
        const expected = [...model].map(([key, point]) => ({
          key,
          startTime: [point.start, 0],
          endTime: END,
          value: point.value,
          exemplars: point.exemplar === undefined ? undefined : [point.exemplar],
        }));
        const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : 1);
        expect(exported.sort(byKey)).toEqual(expected.sort(byKey));
      }),
      {
        numRuns: 400,
        examples: [
          // Two recorders whose recorder attributes have different keys, each point carrying the
          // other's key as an attribute of its own: the same attribute set from both.
          [
            [
              {
                owner: { key: 'recorder', value: 'a' },
                own: [{ attributes: { 'service.recorder': 'b' }, value: 1, exemplar: false }],
                start: 2,
                points: 'copied',
              },
              {
                owner: { key: 'service.recorder', value: 'b' },
                own: [{ attributes: { recorder: 'a' }, value: 2, exemplar: true }],
                start: 1,
                points: 'fresh',
              },
            ],
          ],
        ],
      },
    );
  });
});

describe('CollectionBuilder problems and self-telemetry', () => {
  const histogramView = (name: string, boundaries: number[]): MirroredMetric => {
    const value: MirroredHistogram = {
      buckets: { boundaries, counts: [1, 0, 0] },
      count: 1,
      sum: 0.5,
    };
    return {
      instrumentName: name,
      adapter: adapterFor({ name, kind: 'histogram' }),
      unit: 's',
      description: 'd',
      startTime: [1, 0],
      points: [{ attributes: {}, value }],
      owner: undefined,
      overlapping: false,
    };
  };

  it('series that cannot be merged: a merge-conflict per metric, to the reporter or among the errors', () => {
    const reported: OtelBridgeError[] = [];
    const reporter = new Reporter((error) => reported.push(error as OtelBridgeError));
    const withReporter = new CollectionBuilder(END);
    const alone = new CollectionBuilder(END);
    for (const name of ['ns.a', 'ns.b']) {
      for (const builder of [withReporter, alone]) {
        const into = builder === withReporter ? reporter : undefined;
        builder.addMetric('ns', histogramView(name, [1, 10]), into);
        builder.addMetric('ns', histogramView(name, [2, 20]), into);
      }
    }
    expect(reported.map((error) => [error.code, error.message.match(/"(ns\.\w)"/)?.[1]])).toEqual([
      ['merge-conflict', 'ns.a'],
      ['merge-conflict', 'ns.b'],
    ]);
    expect(withReporter.errors).toEqual([]);
    expect(
      alone.errors.map((error) => [
        (error as OtelBridgeError).code,
        (error as Error).message.match(/"(ns\.\w)"/)?.[1],
      ]),
    ).toEqual([
      ['merge-conflict', 'ns.a'],
      ['merge-conflict', 'ns.b'],
    ]);
  });

  const EVENTS: SelfInstrument = {
    name: 'ns.events',
    unit: '{event}',
    description: 'events',
    monotonic: true,
  };

  it('adds up self-telemetry points with the same attributes (two runtimes of one namespace), earliest start', () => {
    const builder = new CollectionBuilder(END);
    builder.addSelf('ns', EVENTS, [5, 0], { recorder: 'a', outcome: 'accepted' }, 2);
    builder.addSelf('ns', EVENTS, [3, 0], { outcome: 'accepted', recorder: 'a' }, 3);
    builder.addSelf('ns', EVENTS, [4, 0], { recorder: 'b', outcome: 'accepted' }, 7);
    expect(builder.scopeMetrics()[0]?.metrics[0]?.dataPoints).toEqual([
      {
        startTime: [3, 0],
        endTime: END,
        attributes: { recorder: 'a', outcome: 'accepted' },
        value: 5,
      },
      {
        startTime: [4, 0],
        endTime: END,
        attributes: { recorder: 'b', outcome: 'accepted' },
        value: 7,
      },
    ]);
  });

  it('a self-telemetry name taken by a metric of another kind: a name-clash, the metric kept', () => {
    const builder = new CollectionBuilder(END);
    builder.addMetric('ns', histogramView('ns.events', [1, 10]));
    builder.addSelf('ns', EVENTS, [5, 0], { recorder: 'a' }, 2);
    const [metric] = builder.scopeMetrics()[0]?.metrics ?? [];
    expect(metric?.dataPoints).toHaveLength(1);
    expect(builder.errors.map((error) => (error as OtelBridgeError).code)).toEqual(['name-clash']);
  });
});
