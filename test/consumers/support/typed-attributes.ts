import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { startOtlpReceiver } from '../../bridge/otlp-receiver.js';
import { findOpenMetricsParser, parseOpenMetrics } from '../../support/openmetrics.js';
import { findBinary, parseSamples, promtoolFindings } from '../../support/prometheus.js';
import {
  CLASHING,
  DISTINCT,
  labelIds,
  otlpSeries,
  seriesOf,
} from '../../support/typed-attributes.js';
import type { Consumer } from './consumer.js';
import { resultOf } from './otel-line.js';

const fixture = new URL('../fixtures/otel/typed-attributes.mjs', import.meta.url);

/** The attribute sets as JSON for the fixture's argv: non-finite numbers as `{ $n: text }`. */
const argument = JSON.stringify({ distinct: DISTINCT, clashing: CLASHING }, (_, value) =>
  typeof value === 'number' && !Number.isFinite(value) ? { $n: String(value) } : value,
);

/**
 * Issue 21, item 3 on one OpenTelemetry line: the mirrored counter beside this line's sdk-metrics
 * counter, same attribute sets, one pipeline, compared over OTLP (decoded with OpenTelemetry's
 * protobuf definitions) and on /metrics (this line's exporter-prometheus prints the SDK's own).
 */
export function typedAttributesTests(consumer: () => Consumer): void {
  it("typed attributes: OTLP int, double and bool as this line's sdk-metrics sends its own, /metrics text as its exporter prints it, 200 and '200' one /metrics series", async () => {
    consumer().write('typed-attributes.mjs', readFileSync(fixture, 'utf8'));
    const receiver = await startOtlpReceiver();
    try {
      const run = await consumer().run('node', ['typed-attributes.mjs', receiver.url, argument]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const { text, openMetrics, types } = resultOf<{
        text: string;
        openMetrics: string;
        types: string[][][];
      }>(run.stdout);
      expect(types.flat(2)).toContain('number');
      expect(types.flat(2)).toContain('boolean');
      const otlp = (receiver.bodies.get('/v1/metrics') ?? []).at(-1);

      // Every value its own text: the same typed series as the SDK's, the same labels.
      expect(otlpSeries(otlp, 'ours', 'ours.distinct')).toEqual(
        otlpSeries(otlp, 'sdk', 'sdk.distinct'),
      );
      const samples = parseSamples(text);
      const ours = seriesOf(samples, 'ours_distinct_total');
      expect(ours.length).toBeGreaterThan(0);
      expect(labelIds(ours)).toEqual(labelIds(seriesOf(samples, 'sdk_distinct_total')));

      // 200 and '200' (and the other pairs that print alike): two OTLP sets, as the SDK keeps
      // them (except NaN/±Infinity, one set in the SDK's hashing); one /metrics series each.
      const clashing = otlpSeries(otlp, 'ours', 'ours.clashing');
      const sdk = otlpSeries(otlp, 'sdk', 'sdk.clashing');
      for (const [id, value] of sdk) {
        if (!id.includes('"double"'))
          expect({ id, value }).toEqual({ id, value: clashing.get(id) });
      }
      expect(clashing.size).toBe(10);
      const mine = seriesOf(samples, 'ours_clashing_total');
      expect(new Set(labelIds(mine)).size).toBe(mine.length);
      expect(Object.fromEntries(mine.map((s) => [s.labels.code, s.value]))).toEqual({
        '200': 3,
        true: 2,
        '1e+21': 2,
        null: 4,
      });
      const theirs = seriesOf(samples, 'sdk_clashing_total');
      expect(new Set(labelIds(theirs)).size).toBeLessThan(theirs.length);

      const promtool = findBinary('promtool');
      if (promtool !== undefined) expect(promtoolFindings(promtool, text)).toEqual([]);
      const python = findOpenMetricsParser();
      if (python !== undefined) {
        const families = parseOpenMetrics(python, openMetrics);
        const total = (name: string) =>
          families.find((f) => f.name === name)?.samples.reduce((n, s) => n + s.value, 0);
        expect(total('ours_clashing')).toBe(CLASHING.length);
        expect(total('ours_distinct')).toBe(DISTINCT.length);
      }
    } finally {
      await receiver.close();
    }
  });
}
