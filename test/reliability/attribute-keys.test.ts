import { counter, type MetricsRuntime, type NumberPoint } from '@mvx-metrics/core';
import { createTestRecorder } from '@mvx-metrics/core/testing';
import type { OtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findBinary,
  parseSamples,
  promtoolFindings,
  repeatedFamilies,
} from '../support/prometheus.js';
import { startServedRuntime } from '../support/served-runtime.js';

// Items 4 and 5 of issue 13: attribute keys named like what Object.prototype holds (own and
// inherited names, `__proto__`) are ordinary attributes; a point's identity and its attribute
// object use the same key set (own enumerable keys), so no two points ever look identical.

const promtool = findBinary('promtool');

/** Every own name of Object.prototype, plus `__proto__` (an accessor there). */
const PROTOTYPE_NAMES = [
  ...new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__']),
];
const keyArb = fc.oneof(
  fc.constantFrom(...PROTOTYPE_NAMES),
  fc.constantFrom('http.route', 'a-b', 'le', 'x'),
  fc.string({ maxLength: 6 }),
);
const valueArb = fc.string({ unit: fc.constantFrom('a', 'b', '.', '"'), maxLength: 3 });
// Built through JSON.parse, as attributes coming from a request body are: `__proto__` is then an own key.
function jsonAttributes(entries: [string, string][]): Record<string, string> {
  return JSON.parse(
    `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`,
  );
}

const tagged = () =>
  counter<{ attrs: Record<string, unknown> }>({
    name: 'tagged',
    on: (e) => 'attrs' in e,
    attributes: (e) => e.attrs,
  });

/** The canonical form of an attribute set: its own keys with their values, sorted. */
const canonical = (attrs: object): string =>
  JSON.stringify(Object.entries(attrs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

describe('attribute keys named like Object.prototype members', () => {
  it('gives each distinct own-key attribute set one point whose attributes round-trip exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(keyArb, valueArb), { maxLength: 5 }), { maxLength: 20 }),
        (sets) => {
          const recorder = createTestRecorder([tagged()]);
          const expected = new Map<string, number>();
          for (const entries of sets) {
            const attrs = jsonAttributes(entries);
            recorder.registerEvent({ attrs });
            const id = canonical(attrs);
            expected.set(id, (expected.get(id) ?? 0) + 1);
          }
          const points = recorder.getMetricSnapshots()[0]?.points as NumberPoint[];
          const actual = new Map(points.map((p) => [canonical(p.attributes), p.value]));
          expect(actual.size).toBe(points.length); // no two points look identical
          expect(actual).toEqual(expected);
          for (const point of points) {
            // a JSON round trip keeps every key, `__proto__` included
            expect(canonical(JSON.parse(JSON.stringify(point.attributes)))).toBe(
              canonical(point.attributes),
            );
            expect(Object.getPrototypeOf(point.attributes)).toBe(Object.prototype);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('leaves inherited enumerable keys out of both the identity and the attributes', () => {
    const recorder = createTestRecorder([tagged()]);
    // inherited keys that sort after the own one: the identity once took them, the object not
    const proto = { x: 'inherited', y: 'inherited' };
    for (const own of ['a', 'b', 'a']) {
      recorder.registerEvent({ attrs: Object.assign(Object.create(proto), { k: own }) });
    }
    recorder.registerEvent({ attrs: { k: 'a' } });
    const points = recorder.getMetricSnapshots()[0]?.points as NumberPoint[];
    expect(points).toEqual([
      { attributes: { k: 'a' }, value: 3 },
      { attributes: { k: 'b' }, value: 1 },
    ]);
  });

  it('makes a Map returned from attributes() its entries, not an empty set', () => {
    const recorder = createTestRecorder([tagged()]);
    recorder.registerEvent({
      attrs: new Map<unknown, unknown>([
        ['route', '/a'],
        [7, 'seven'],
      ]),
    });
    recorder.registerEvent({ attrs: { route: '/a', 7: 'seven' } });
    const points = recorder.getMetricSnapshots()[0]?.points as NumberPoint[];
    expect(points).toEqual([{ attributes: { 7: 'seven', route: '/a' }, value: 2 }]);
  });
});

describe('Prometheus labels of Object.prototype-named keys', () => {
  let pipeline: OtelPipeline;
  let runtime: MetricsRuntime;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ pipeline, runtime, close } = await startServedRuntime('keys', 'keys'));
  });
  afterAll(() => close?.());

  it('exports the own values, never Object.prototype members, in a body promtool accepts', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...PROTOTYPE_NAMES), valueArb), {
          minLength: 1,
          maxLength: 4,
        }),
        async (entries) => {
          const recorder = runtime.createRecorder(`r${n++}`, { metrics: () => [tagged()] });
          // a key that needs sanitising forces the relabelling path
          const attrs = jsonAttributes([...entries, ['http.route', '/x']]);
          recorder.registerEvent({ attrs });
          await recorder.flush();
          const body = await (await fetch(pipeline.prometheusUrl as string)).text();
          expect(body).not.toContain('native code');
          expect(body).not.toContain('[object Object]');
          expect(repeatedFamilies(body)).toEqual([]);
          if (promtool !== undefined) expect(promtoolFindings(promtool, body)).toEqual([]);
          const sample = parseSamples(body).find(
            (s) => s.name === 'keys_tagged_total' && s.labels.recorder === recorder.name,
          );
          expect(sample?.value).toBe(1);
          expect(sample?.labels.http_route).toBe('/x');
          await runtime.removeRecorder(recorder.name);
        },
      ),
      { numRuns: 25 },
    );
  });
});
