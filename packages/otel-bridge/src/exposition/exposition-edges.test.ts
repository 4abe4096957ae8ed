// The exposition helpers at their edges, input by input: Prometheus label and metric names
// (digits, empty names, reserved labels, runs of `_`, merged keys), unit words, OpenMetrics text
// pieces and the exemplar in text and in client_model's protobuf message.
import { describe, expect, it } from 'vitest';
import { braces, escapeText, exemplarText, joinLabels, sampleValue } from './openmetrics-text.js';
import {
  prometheusBaseName,
  prometheusLabelName,
  prometheusLabelValue,
  prometheusSafeAttributes,
} from './prometheus-names.js';
import { prometheusMetricName, prometheusUnit } from './prometheus-units.js';
import { exemplarMessage } from './protobuf-messages.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';

describe('prometheusLabelName', () => {
  it.each([
    ['a.b', 'a_b'],
    ['a..b', 'a_b'],
    ['a._b', 'a_b'],
    ['', 'key_'],
    ['0', 'key_0'],
    ['9x', 'key_9x'],
    ['.9', '_9'],
    ['x9', 'x9'],
    ['/x', '_x'],
    ['le', 'key_le'],
    ['quantile', 'key_quantile'],
    ['otel_scope_name', 'key_otel_scope_name'],
    ['lee', 'lee'],
  ])('%j → %j', (key, label) => {
    expect(prometheusLabelName(key)).toBe(label);
  });
});

describe('prometheusBaseName', () => {
  it.each([
    ['0a', '_0a'],
    ['9a', '_9a'],
    ['a9', 'a9'],
    ['a', 'a'],
    ['/a', '_a'],
    ['a..b', 'a_b'],
  ])('%j → %j', (name, base) => {
    expect(prometheusBaseName(name)).toBe(base);
  });
});

describe('prometheusLabelValue', () => {
  it('writes strings as they are, undefined as nothing, bigints and cycles as String()', () => {
    expect(prometheusLabelValue('x')).toBe('x');
    expect(prometheusLabelValue(undefined)).toBe('');
    expect(prometheusLabelValue(413)).toBe('413');
    expect(prometheusLabelValue(10n)).toBe('10');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(prometheusLabelValue(cycle)).toBe('[object Object]');
  });
});

describe('prometheusSafeAttributes', () => {
  it('returns the attributes themselves when every key is a label already', () => {
    const attributes = { a: 1, b_c: 'x' };
    expect(prometheusSafeAttributes(attributes, new Map())).toBe(attributes);
  });

  it('merges keys that become one label by their original keys’ order, skips absent values, as plain writable data', () => {
    const attributes = { b_x: 2, 'b.x': 1, 'c.d': null, e: undefined, f: 'y' } as never;
    const out = prometheusSafeAttributes(attributes, new Map());
    expect(out).toEqual({ b_x: '1;2', f: 'y' });
    expect(Object.getOwnPropertyDescriptor(out, 'b_x')).toEqual({
      value: '1;2',
      enumerable: true,
      writable: true,
      configurable: true,
    });
    expect(Object.keys(out)).toEqual(['b_x', 'f']);
  });

  it('keeps at most 10 000 keys in its cache, and caches the ones it sees', () => {
    const cache = new Map<string, string>();
    prometheusSafeAttributes({ 'a.b': 1 }, cache);
    expect(cache.get('a.b')).toBe('a_b');
    for (let i = 0; i < 10_010; i++) prometheusSafeAttributes({ [`k.${i}`]: 1 }, cache);
    expect(cache.size).toBe(10_000);
  });
});

describe('prometheusUnit and prometheusMetricName', () => {
  const plain = { total: false, ratio: false };
  const counter = { total: true, ratio: false };
  it.each([
    ['By {compressed}', 'bytes'],
    ['{request}', ''],
    ['__a_b__', 'a_b'],
    ['/s', 'per_second'],
  ])('unit %j → %j', (unit, word) => {
    expect(prometheusUnit(unit, plain)).toBe(word);
  });

  it.each([
    ['_total', 's', counter, 'seconds_total'],
    ['_total', '', counter, 'total'],
    ['0a', '', plain, '_0a'],
    ['9a', '', plain, '_9a'],
    ['a..b', '', plain, 'a_b'],
    ['a', '', plain, 'a'],
  ])('name %j in %j → %j', (name, unit, rules, family) => {
    expect(prometheusMetricName(name, unit, rules)).toBe(family);
  });
});

describe('OpenMetrics text pieces', () => {
  it('escapes backslash, newline and quote; joins and braces labels, either side empty', () => {
    expect(escapeText('a\\b\nc"d')).toBe('a\\\\b\\nc\\"d');
    expect(joinLabels('', 'b')).toBe('b');
    expect(joinLabels('a', '')).toBe('a');
    expect(joinLabels('a', 'b')).toBe('a,b');
    expect(braces('')).toBe('');
    expect(braces('a="1"')).toBe('{a="1"}');
    expect(sampleValue(Number.POSITIVE_INFINITY)).toBe('+Inf');
    expect(sampleValue(Number.NEGATIVE_INFINITY)).toBe('-Inf');
    expect(sampleValue(Number.NaN)).toBe('NaN');
    expect(sampleValue(1.5)).toBe('1.5');
  });

  it('prints an exemplar with its time in seconds, and none past the 128-character label limit', () => {
    expect(exemplarText({ value: 2, time: 1_500.4, traceId: TRACE, spanId: SPAN })).toBe(
      ` # {trace_id="${TRACE}",span_id="${SPAN}"} 2 1.500`,
    );
    expect(exemplarText({ value: 2, time: 0, traceId: '', spanId: '' })).toBe(' # {} 2 0.000');
    // 15 characters of names: ids of 113 characters in all are exactly at the limit.
    const at = { value: 1, time: 0, traceId: 'a'.repeat(97), spanId: 'b'.repeat(16) };
    expect(exemplarText(at)).not.toBe('');
    expect(exemplarText({ ...at, traceId: 'a'.repeat(98) })).toBe('');
    expect(exemplarText({ ...at, traceId: 'a'.repeat(60), spanId: 'b'.repeat(60) })).toBe('');
    expect(exemplarText({ ...at, traceId: 'a'.repeat(113), spanId: '' })).toBe(
      ` # {trace_id="${'a'.repeat(113)}",span_id=""} 1 0.000`,
    );
    expect(exemplarText({ ...at, value: Number.NaN })).toBe('');
    expect(exemplarText(undefined)).toBe('');
  });

  it('gives client_model the same exemplar: labels, value, seconds and nanos', () => {
    expect(exemplarMessage({ value: 2, time: 1_500.4, traceId: TRACE, spanId: SPAN })).toEqual({
      label: [
        { name: 'trace_id', value: TRACE },
        { name: 'span_id', value: SPAN },
      ],
      value: 2,
      timestamp: { seconds: 1, nanos: 500_000_000 },
    });
    expect(exemplarMessage({ value: 3, time: 2_000, traceId: '', spanId: '' })).toEqual({
      label: [],
      value: 3,
      timestamp: { seconds: 2, nanos: 0 },
    });
    const at = { value: 1, time: 0, traceId: 'a'.repeat(97), spanId: 'b'.repeat(16) };
    expect(exemplarMessage(at)).toBeDefined();
    expect(exemplarMessage({ ...at, traceId: 'a'.repeat(98) })).toBeUndefined();
    expect(
      exemplarMessage({ ...at, traceId: 'a'.repeat(60), spanId: 'b'.repeat(60) }),
    ).toBeUndefined();
    expect(exemplarMessage({ ...at, traceId: 'a'.repeat(113), spanId: '' })).toBeDefined();
    expect(exemplarMessage({ ...at, value: Number.POSITIVE_INFINITY })).toBeUndefined();
    expect(exemplarMessage(undefined)).toBeUndefined();
  });
});
