import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adapterFor } from '../kinds/index.js';
import {
  type PrometheusNameRules,
  prometheusMetricName,
  prometheusUnit,
} from './prometheus-units.js';

// A metric whose whole name is its unit word (`seconds` in `s`). OpenTelemetry's compatibility
// specification adds the unit as a suffix "unless the metric name already contains the unit": the
// name stays `seconds` (`seconds_total` for a counter), as the Collector's translator
// (prometheus/otlptranslator `normalizeName`) prints it, never `seconds_seconds`.

type Kind = 'counter' | 'upDownCounter' | 'gauge' | 'histogram';
const rulesOf = (kind: Kind): PrometheusNameRules =>
  adapterFor({ name: 'x', kind }).prometheusNaming;

const CASES: ReadonlyArray<readonly [name: string, unit: string, kind: Kind, prometheus: string]> =
  [
    ['seconds', 's', 'histogram', 'seconds'],
    ['seconds', 's', 'gauge', 'seconds'],
    ['seconds', 's', 'upDownCounter', 'seconds'],
    ['seconds', 's', 'counter', 'seconds_total'],
    ['seconds_total', 's', 'counter', 'seconds_total'],
    ['bytes', 'By', 'gauge', 'bytes'],
    ['milliseconds', 'ms', 'histogram', 'milliseconds'],
    ['ratio', '1', 'gauge', 'ratio'],
    ['percent', '%', 'gauge', 'percent'],
    ['bytes_per_second', 'By/s', 'gauge', 'bytes_per_second'],
    ['wait.seconds', 's', 'histogram', 'wait_seconds'],
    ['docs.busy.seconds', 's', 'counter', 'docs_busy_seconds_total'],
  ];

describe('a metric named after its own unit', () => {
  it.each(CASES)('%s in "%s" as %s prints as %s', (name, unit, kind, expected) => {
    expect(prometheusMetricName(name, unit, rulesOf(kind))).toBe(expected);
  });

  it('never doubles the unit word, for any unit and kind', () => {
    const units = [
      's',
      'ms',
      'us',
      'ns',
      'min',
      'h',
      'd',
      'By',
      'KiBy',
      'MiBy',
      'GBy',
      'm',
      'V',
      'A',
      'J',
      'W',
      'g',
      'Cel',
      'Hz',
      '%',
      '1',
      'By/s',
      'm/s',
      '{request}/s',
      'km',
    ];
    const kinds: Kind[] = ['counter', 'upDownCounter', 'gauge', 'histogram'];
    fc.assert(
      fc.property(fc.constantFrom(...units), fc.constantFrom(...kinds), (unit, kind) => {
        const rules = rulesOf(kind);
        const word = prometheusUnit(unit, rules);
        fc.pre(word !== '');
        const family = rules.total ? `${word}_total` : word;
        expect(prometheusMetricName(word, unit, rules)).toBe(family);
        expect(prometheusMetricName(`mvx.${word}`, unit, rules)).toBe(`mvx_${family}`);
      }),
    );
  });
});
