// convertSnapshot and its helpers at their edges: a built-in metric's marked snapshot taken as it
// is, a hand-written one's points normalised by core's rule (alike ones make the metric
// overlapping, an unreadable one is skipped), OpenTelemetry's overflow point keeping its boolean,
// points that are no array, the exported name given; withExtra and copyWithExtra over attributes
// that are no object. StrykerJS survivors of mirror/ (docs/reliability.md).
import type { MetricSnapshot } from '@mvx-metrics/core';
import { describe, expect, it } from 'vitest';
import { adapterFor } from '../kinds/index.js';
import {
  type ConvertTarget,
  convertSnapshot,
  copyWithExtra,
  shadows,
  withExtra,
} from './convert.js';

const NORMALIZED = Symbol.for('@mvx-metrics/core.normalized-snapshot');

const off: ConvertTarget = {
  namespace: 'ns',
  name: 'm',
  adapter: adapterFor({ name: 'ns.m', kind: 'counter' }),
  unit: '',
  description: '',
  extraAttributes: {},
  owner: undefined,
  startTime: [1, 0],
};

const snapshot = (points: unknown, marked = false): MetricSnapshot => {
  const out = { name: 'm', kind: 'counter', points } as MetricSnapshot;
  if (marked) Object.defineProperty(out, NORMALIZED, { value: true });
  return out;
};

describe('convertSnapshot', () => {
  it("takes a built-in metric's marked snapshot as it is; normalises a hand-written one's attributes", () => {
    const attributes = { a: 'x' };
    const marked = convertSnapshot(snapshot([{ attributes, value: 1 }], true), off);
    expect(marked.metric.points[0]?.attributes).toBe(attributes);
    const unmarked = convertSnapshot(snapshot([{ attributes, value: 1 }]), off);
    expect(unmarked.metric.points[0]?.attributes).toEqual(attributes);
    expect(unmarked.metric.points[0]?.attributes).not.toBe(attributes);
    // core's rule: an attribute value it cannot keep becomes a string
    const big = convertSnapshot(snapshot([{ attributes: { a: 2n }, value: 1 }]), off);
    expect(big.metric.points[0]?.attributes).toEqual({ a: '2' });
  });

  it('a hand-written metric whose points normalise alike is overlapping, without any shadowing', () => {
    const alike = convertSnapshot(
      snapshot([
        { attributes: { a: 2n }, value: 1 },
        { attributes: { a: '2' }, value: 2 },
      ]),
      off,
    );
    expect(alike.shadowed).toBe(0);
    expect(alike.metric.overlapping).toBe(true);
    const apart = convertSnapshot(
      snapshot([
        { attributes: { a: '1' }, value: 1 },
        { attributes: { a: '2' }, value: 2 },
      ]),
      off,
    );
    expect(apart.metric.overlapping).toBe(false);
    // marked points are distinct by core's promise: not checked
    const same = { a: '1' };
    const marked = convertSnapshot(
      snapshot(
        [
          { attributes: same, value: 1 },
          { attributes: same, value: 2 },
        ],
        true,
      ),
      off,
    );
    expect(marked.metric.overlapping).toBe(false);
  });

  it('skips a point whose attributes cannot be read, and keeps the others', () => {
    const unreadable = Object.defineProperty({}, 'a', {
      get() {
        throw new Error('no');
      },
      enumerable: true,
    });
    const converted = convertSnapshot(
      snapshot([
        { attributes: unreadable, value: 1 },
        { attributes: { b: 'y' }, value: 2 },
      ]),
      off,
    );
    expect(converted.skipped).toBe(1);
    expect(converted.metric.points).toEqual([{ attributes: { b: 'y' }, value: 2 }]);
  });

  it('keeps the overflow point’s otel.metric.overflow the boolean true, alone only', () => {
    const converted = convertSnapshot(
      snapshot([
        { attributes: { 'otel.metric.overflow': 'true' }, value: 1 },
        { attributes: { 'otel.metric.overflow': 'true', x: '1' }, value: 2 },
        { attributes: { 'otel.metric.overflow': 'false' }, value: 3 },
      ]),
      off,
    );
    expect(converted.metric.points.map((p) => p.attributes)).toEqual([
      { 'otel.metric.overflow': true },
      { 'otel.metric.overflow': 'true', x: '1' },
      { 'otel.metric.overflow': 'false' },
    ]);
  });

  it('exports nothing for points that are no array; names the instrument as the target says', () => {
    for (const points of [undefined, null, { length: 1, 0: { attributes: {}, value: 1 } }]) {
      const converted = convertSnapshot(snapshot(points), off);
      expect(converted.metric.points).toEqual([]);
      expect(converted.skipped).toBe(0);
      expect(converted.metric.overlapping).toBe(false);
    }
    expect(convertSnapshot(snapshot([]), off).metric.instrumentName).toBe('ns.m');
    expect(
      convertSnapshot(snapshot([]), { ...off, instrumentName: 'http.server.duration' }).metric
        .instrumentName,
    ).toBe('http.server.duration');
  });
});

describe('shadowing and `__proto__`', () => {
  it('an attribute named "undefined" shadows nothing when the recorder attribute is off', () => {
    const converted = convertSnapshot(
      snapshot([{ attributes: { undefined: 'x' }, value: 1 }]),
      off,
    );
    expect(converted.shadowed).toBe(0);
    expect(converted.metric.overlapping).toBe(false);
  });

  it('copies an own `__proto__` attribute as a spread does: a plain writable, configurable property', () => {
    const attributes = JSON.parse('{"__proto__":"x","a":"1"}') as Record<string, string>;
    for (const out of [withExtra(attributes, { r: 'y' }), copyWithExtra(attributes, {})]) {
      expect(Object.getOwnPropertyDescriptor(out, '__proto__')).toEqual({
        value: 'x',
        writable: true,
        enumerable: true,
        configurable: true,
      });
      expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    }
  });
});

describe('withExtra, copyWithExtra, shadows', () => {
  it('take attributes that are no object as none', () => {
    for (const attributes of [undefined, null, 5, 'text']) {
      expect(withExtra(attributes, { recorder: 'r' })).toEqual({ recorder: 'r' });
      expect(withExtra(attributes, {})).toEqual({});
      expect(shadows(attributes, 'recorder')).toBe(false);
    }
  });

  it('copyWithExtra always makes a new object; shadows looks at own keys only', () => {
    const attributes = { a: '1' };
    const copy = copyWithExtra(attributes, {});
    expect(copy).toEqual(attributes);
    expect(copy).not.toBe(attributes);
    expect(copyWithExtra(attributes, { r: 'x' })).toEqual({ a: '1', r: 'x' });
    expect(shadows(Object.create({ recorder: 'inherited' }), 'recorder')).toBe(false);
    expect(shadows({ recorder: 'own' }, 'recorder')).toBe(true);
  });
});
