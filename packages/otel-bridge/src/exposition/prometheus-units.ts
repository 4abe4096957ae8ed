/**
 * OpenTelemetry's Prometheus compatibility rules for metric names (specification
 * `compatibility/prometheus_and_openmetrics.md`, as the Collector's Prometheus exporter applies
 * them): the UCUM unit becomes a Prometheus unit word appended to the name, `1` on a gauge
 * becomes `ratio`, annotations (`{request}`) are dropped, `a/b` becomes `a_per_b`, and monotonic
 * sums end with `_total`, after the unit.
 */

// UCUM units with a Prometheus spelling. Units not listed keep their own (sanitised) text.
const UNITS: Readonly<Record<string, string>> = {
  // time
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  // bytes
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  // SI
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  // others
  Cel: 'celsius',
  Hz: 'hertz',
  '%': 'percent',
  '1': '',
};

// The denominator of `x/y` units, singular as the rules write it (`By/s` → `bytes_per_second`).
const PER_UNITS: Readonly<Record<string, string>> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

/** The naming rules that differ by kind (each kind adapter declares its own). */
export interface PrometheusNameRules {
  /** Monotonic sums: the name ends with `_total`. */
  readonly total: boolean;
  /** Gauges: unit `1` is written `ratio`. */
  readonly ratio: boolean;
}

/** Characters outside `[A-Za-z0-9_]` become `_`, runs of `_` collapse (the exporter's sanitising). */
export function sanitizePrometheusName(name: string): string {
  return name.replace(/[^a-z0-9_]/gi, '_').replace(/_{2,}/g, '_');
}

/**
 * The Prometheus unit word for a UCUM unit and kind: `s` → `seconds`, `By/s` →
 * `bytes_per_second`, `1` → `ratio` on a gauge (`rules.ratio`) and nothing elsewhere, `{request}` → nothing.
 * Empty when the unit adds no suffix.
 */
export function prometheusUnit(unit: string, rules: PrometheusNameRules): string {
  if (unit === '1') return rules.ratio ? 'ratio' : '';
  // Annotations in braces carry no unit (`{request}`, `By{compressed}` → `By`).
  const bare = unit.replace(/\{[^}]*\}/g, '').trim();
  if (bare === '') return '';
  const slash = bare.indexOf('/');
  const main = slash < 0 ? bare : bare.slice(0, slash);
  const per = slash < 0 ? '' : bare.slice(slash + 1);
  const words: string[] = [];
  const mainWord = main === '' ? '' : clean(lookup(UNITS, main));
  if (mainWord !== '') words.push(mainWord);
  const perWord = per === '' ? '' : clean(lookup(PER_UNITS, per));
  if (perWord !== '') words.push('per', perWord);
  return words.join('_');
}

/**
 * The Prometheus metric family name of an instrument: sanitised, the unit word appended unless the
 * name already ends with it, and for counters `_total` last (an existing `_total` moves after the
 * unit). A leading digit gets `_` in front, as the exporter does.
 */
export function prometheusMetricName(
  instrumentName: string,
  unit: string,
  rules: PrometheusNameRules,
): string {
  let name = sanitizePrometheusName(instrumentName);
  if (rules.total && name.endsWith('_total')) name = name.slice(0, -'_total'.length);
  const word = prometheusUnit(unit, rules);
  if (word !== '' && name !== word && !name.endsWith(`_${word}`)) {
    name = name === '' || name.endsWith('_') ? `${name}${word}` : `${name}_${word}`;
  }
  if (rules.total) name = name === '' || name.endsWith('_') ? `${name}total` : `${name}_total`;
  if (name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57) name = `_${name}`;
  return name;
}

// Own keys only: a unit spelled `toString` is not a method of the table.
function lookup(table: Readonly<Record<string, string>>, unit: string): string {
  return Object.hasOwn(table, unit) ? (table[unit] as string) : unit;
}

function clean(word: string): string {
  return sanitizePrometheusName(word).replace(/^_+|_+$/g, '');
}
