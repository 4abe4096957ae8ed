import { describe, expect, it } from 'vitest';
import { counter } from '../metrics/index.js';
import { createTestRecorder } from '../testing/index.js';
import {
  attributeKey,
  MAX_ATTRIBUTE_VALUE_LENGTH,
  normalizeAttributes,
  normalizeAttributeValue,
} from './attributes.js';

describe('attribute normalisation', () => {
  it('keeps strings, numbers and booleans with their type, and turns bigints into their String()', () => {
    expect(normalizeAttributeValue('GET')).toBe('GET');
    expect(normalizeAttributeValue(200)).toBe(200);
    expect(normalizeAttributeValue(1.5)).toBe(1.5);
    expect(normalizeAttributeValue(true)).toBe(true);
    expect(normalizeAttributeValue(false)).toBe(false);
    expect(normalizeAttributeValue(10n)).toBe('10');
  });

  it('keeps every number a number, -0 as 0 (one value for OTLP, sdk-metrics and /metrics)', () => {
    expect(Object.is(normalizeAttributeValue(-0), 0)).toBe(true);
    expect(normalizeAttributeValue(Number.NaN)).toBeNaN();
    expect(normalizeAttributeValue(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(normalizeAttributeValue(Number.NEGATIVE_INFINITY)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalizeAttributeValue(1e21)).toBe(1e21);
    expect(normalizeAttributeValue(0.1 + 0.2)).toBe(0.1 + 0.2);
    expect(normalizeAttributeValue(Number.MIN_VALUE)).toBe(Number.MIN_VALUE);
  });

  it('turns objects and arrays into JSON, and unserialisable ones into a marker', () => {
    expect(normalizeAttributeValue({ a: 1 })).toBe('{"a":1}');
    expect(normalizeAttributeValue([1, 'x'])).toBe('[1,"x"]');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(normalizeAttributeValue(cyclic)).toBe('[unserializable]');
  });

  it('drops undefined and null values', () => {
    expect(normalizeAttributes({ a: undefined, b: null, c: 'x' })).toEqual({ c: 'x' });
  });

  it('replaces lone surrogates and NUL with U+FFFD', () => {
    expect(normalizeAttributeValue('a\uD800b')).toBe('a\uFFFDb');
    expect(normalizeAttributeValue('a\uDC00')).toBe('a\uFFFD');
    expect(normalizeAttributeValue('a\u0000b')).toBe('a\uFFFDb');
    expect(normalizeAttributeValue('ok \u{1F600}')).toBe('ok \u{1F600}');
  });

  it('cuts values longer than 1024 UTF-16 units, never leaving half a surrogate pair', () => {
    expect(MAX_ATTRIBUTE_VALUE_LENGTH).toBe(1024);
    expect(normalizeAttributeValue('x'.repeat(2000))).toBe('x'.repeat(1024));
    expect(normalizeAttributeValue('x'.repeat(1024))).toBe('x'.repeat(1024));
    const cut = normalizeAttributeValue(`${'x'.repeat(1023)}\u{1F600}`);
    expect(cut).toBe(`${'x'.repeat(1023)}\uFFFD`);
    expect(normalizeAttributeValue({ big: 'y'.repeat(2000) })).toHaveLength(1024);
  });

  it('gives one identity to equal attribute sets whatever the key order, and two to values of two types', () => {
    expect(attributeKey({ a: '1', b: 'x' })).toBe(attributeKey({ b: 'x', a: '1' }));
    expect(attributeKey({ a: 1, gone: undefined })).toBe(attributeKey({ a: 1 }));
    expect(attributeKey({ a: 1 })).not.toBe(attributeKey({ a: '1' }));
    expect(attributeKey({ a: true })).not.toBe(attributeKey({ a: 'true' }));
    expect(attributeKey({ a: Number.NaN })).not.toBe(attributeKey({ a: 'NaN' }));
    expect(attributeKey({ a: -0 })).toBe(attributeKey({ a: 0 }));
    expect(attributeKey({ a: Number.NaN })).toBe(attributeKey({ a: Number.NaN }));
    expect(attributeKey({ a: Number.POSITIVE_INFINITY })).not.toBe(
      attributeKey({ a: Number.NEGATIVE_INFINITY }),
    );
    expect(attributeKey({ a: 'x' })).not.toBe(attributeKey({ a: 'y' }));
    expect(attributeKey({ a: 'x' })).not.toBe(attributeKey({ b: 'x' }));
  });

  it('makes 200 and "200" two points of a metric (two types), -0 and 0 one, with sorted keys', () => {
    const recorder = createTestRecorder([
      counter({
        name: 'c',
        on: 'e',
        attributes: (e: { attrs: Record<string, unknown> }) => e.attrs,
      }),
    ]);
    recorder.registerEvent({ type: 'e', attrs: { status: 200, method: 'GET' } });
    recorder.registerEvent({
      type: 'e',
      attrs: { method: 'GET', status: '200', extra: undefined },
    });
    recorder.registerEvent({ type: 'e', attrs: { status: 200, method: 'GET' } });
    recorder.registerEvent({ type: 'e', attrs: { status: -0 } });
    recorder.registerEvent({ type: 'e', attrs: { status: 0 } });
    const points = recorder.getMetricSnapshots()[0]?.points;
    expect(points).toEqual([
      { attributes: { method: 'GET', status: 200 }, value: 2 },
      { attributes: { method: 'GET', status: '200' }, value: 1 },
      { attributes: { status: 0 }, value: 2 },
    ]);
    expect(Object.is(points?.[2]?.attributes.status, 0)).toBe(true);
    expect(Object.keys(points?.[0]?.attributes ?? {})).toEqual(['method', 'status']);
  });
});

describe('attribute names', () => {
  it('never lets two different attribute sets share one identity through a NUL in a name', () => {
    expect(attributeKey({ 'a\u0000b\u0000c': 'd' })).not.toBe(attributeKey({ a: 'b', c: 'd' }));
  });

  it('gives one point to names that normalise to the same name, so no two points have equal attributes', () => {
    const recorder = createTestRecorder([
      counter({
        name: 'c',
        on: 'e',
        attributes: (e: { attrs: Record<string, unknown> }) => e.attrs,
      }),
    ]);
    recorder.registerEvent({ type: 'e', attrs: { 'k\uD800': 'v' } });
    recorder.registerEvent({ type: 'e', attrs: { 'k\uDC00': 'v' } });
    recorder.registerEvent({ type: 'e', attrs: { 'k\u0000': 'v' } });
    recorder.registerEvent({ type: 'e', attrs: { 'a\u0000b\u0000c': 'd' } });
    recorder.registerEvent({ type: 'e', attrs: { a: 'b', c: 'd' } });
    expect(recorder.getMetricSnapshots()[0]?.points).toEqual([
      { attributes: { 'k\uFFFD': 'v' }, value: 3 },
      { attributes: { 'a\uFFFDb\uFFFDc': 'd' }, value: 1 },
      { attributes: { a: 'b', c: 'd' }, value: 1 },
    ]);
  });

  it('keeps one entry when two names of one set normalise alike, the same whatever the key order', () => {
    // Found by the reliability property test: both names become U+FFFD, and the identity once kept
    // both entries while the attribute object kept one, so two points read {"\uFFFD": "true"}.
    const recorder = createTestRecorder([
      counter({
        name: 'c',
        on: 'e',
        attributes: (e: { attrs: Record<string, unknown> }) => e.attrs,
      }),
    ]);
    recorder.registerEvent({ type: 'e', attrs: { '\ud800': true } });
    recorder.registerEvent({ type: 'e', attrs: { '\u0000': 0n, '\udfff': true } });
    recorder.registerEvent({ type: 'e', attrs: { '\udfff': true, '\u0000': 0n } });
    expect(recorder.getMetricSnapshots()[0]?.points).toEqual([
      { attributes: { '\uFFFD': true }, value: 3 },
    ]);
    expect(attributeKey({ '\u0000': 0n, '\udfff': true })).toBe(attributeKey({ '\ud800': true }));
    expect(normalizeAttributes({ '\udfff': 'a', '\ud800': 'b' })).toEqual(
      normalizeAttributes({ '\ud800': 'b', '\udfff': 'a' }),
    );
  });
});
