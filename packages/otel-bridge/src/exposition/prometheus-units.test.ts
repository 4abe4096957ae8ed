import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adapterFor } from '../kinds/index.js';
import {
  type PrometheusNameRules,
  prometheusMetricName,
  prometheusUnit,
} from './prometheus-units.js';

type Kind = 'counter' | 'upDownCounter' | 'gauge' | 'histogram';

/** The naming rules a core kind's adapter declares. */
const rulesOf = (kind: Kind): PrometheusNameRules =>
  adapterFor({ name: 'x', kind }).prometheusNaming;

/**
 * The translation table docs/prometheus-grafana.md shows: instrument name, UCUM unit, core kind → Prometheus name.
 * Each row is one rule of OpenTelemetry's Prometheus compatibility specification.
 */
const NAMING_TABLE: ReadonlyArray<
  readonly [name: string, unit: string, kind: Kind, prometheus: string]
> = [
  ['docs.document.save.duration', 's', 'histogram', 'docs_document_save_duration_seconds'],
  ['http.server.request.duration', 's', 'histogram', 'http_server_request_duration_seconds'],
  ['docs.documents.stored.size', 'By', 'gauge', 'docs_documents_stored_size_bytes'],
  ['docs.cache.hit', '1', 'gauge', 'docs_cache_hit_ratio'],
  ['docs.queue.share', '1', 'upDownCounter', 'docs_queue_share'],
  ['docs.document.save.attempts', '', 'counter', 'docs_document_save_attempts_total'],
  ['docs.requests', '{request}', 'counter', 'docs_requests_total'],
  ['process.cpu.time', 's', 'counter', 'process_cpu_time_seconds_total'],
  ['docs.requests.total', '1', 'counter', 'docs_requests_total'],
  ['docs.busy.total', 's', 'counter', 'docs_busy_seconds_total'],
  ['docs.queue.wait.seconds', 's', 'histogram', 'docs_queue_wait_seconds'],
  ['docs.network.io', 'By/s', 'gauge', 'docs_network_io_bytes_per_second'],
  ['docs.events.rate', '{event}/s', 'gauge', 'docs_events_rate_per_second'],
  ['docs.heap.size', 'MiBy', 'gauge', 'docs_heap_size_mebibytes'],
  ['docs.batch.latency', 'ms', 'histogram', 'docs_batch_latency_milliseconds'],
  ['docs.temperature', 'Cel', 'gauge', 'docs_temperature_celsius'],
  ['docs.disk.usage', '%', 'gauge', 'docs_disk_usage_percent'],
  ['docs.documents.stored', '{document}', 'gauge', 'docs_documents_stored'],
  ['docs.distance', 'km', 'gauge', 'docs_distance_km'],
  ['seconds.until.expiry', 's', 'gauge', 'seconds_until_expiry_seconds'],
  ['mvx.recorder.events', '{event}', 'counter', 'mvx_recorder_events_total'],
];

const KINDS: Kind[] = ['counter', 'upDownCounter', 'gauge', 'histogram'];
const instrumentName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.\-/]{0,40}$/);
const unit = fc.oneof(
  fc.constantFrom(
    '',
    '1',
    's',
    'ms',
    'By',
    'KiBy',
    '%',
    'Cel',
    'By/s',
    '{request}',
    'km',
    '1/s',
    'toString',
  ),
  fc.stringMatching(/^[ -~]{0,12}$/),
);

describe('Prometheus names (OpenTelemetry compatibility rules)', () => {
  it.each(NAMING_TABLE)('%s in "%s" as %s prints as %s', (name, u, kind, expected) => {
    expect(prometheusMetricName(name, u, rulesOf(kind))).toBe(expected);
  });

  it('holds every rule for any name and unit', () => {
    fc.assert(
      fc.property(instrumentName, unit, fc.constantFrom(...KINDS), (name, u, kind) => {
        const rules = rulesOf(kind);
        const out = prometheusMetricName(name, u, rules);
        // a valid Prometheus metric name, no `__` runs
        expect(out).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*$/);
        expect(out).not.toMatch(/__/);
        // counters (and only they) end with one `_total`
        if (kind === 'counter') expect(out).toMatch(/(^|_)total$/);
        else expect(out.endsWith('_total') && !name.match(/total$/i)).toBe(false);
        // the unit word is the suffix of the family name (before `_total`)
        const family = kind === 'counter' ? out.replace(/_?total$/, '') : out;
        const word = prometheusUnit(u, rules);
        if (word !== '') expect(family === word || family.endsWith(`_${word}`)).toBe(true);
        // translating again changes nothing (a unit is never appended twice)
        expect(prometheusMetricName(out, u, rules)).toBe(out);
      }),
      { numRuns: 500 },
    );
  });

  it('maps unit 1 to ratio on gauges only, and drops annotations', () => {
    expect(prometheusUnit('1', rulesOf('gauge'))).toBe('ratio');
    // a non-monotonic Sum prints as a gauge, but the rule (and the Collector) says Gauge only
    expect(prometheusUnit('1', rulesOf('upDownCounter'))).toBe('');
    expect(prometheusUnit('1', rulesOf('counter'))).toBe('');
    expect(prometheusUnit('1', rulesOf('histogram'))).toBe('');
    expect(prometheusUnit('{packet}', rulesOf('gauge'))).toBe('');
    expect(prometheusUnit('By{compressed}', rulesOf('gauge'))).toBe('bytes');
  });

  it('is the table docs/prometheus-grafana.md shows', () => {
    const readme = readFileSync(
      new URL('../../../../docs/prometheus-grafana.md', import.meta.url),
      'utf8',
    );
    for (const [name, u, kind, expected] of NAMING_TABLE) {
      const shown = u === '' ? '(none)' : `\`${u}\``;
      expect(readme).toContain(`| \`${name}\` | ${shown} | ${kind} | \`${expected}\` |`);
    }
  });
});
