// The "Metric kinds" table of docs/prometheus-grafana.md has one row for each kind in core's
// registry, and names no kind core does not have; each row's Prometheus type is the one the
// kind's adapter prints (its export shape's OpenMetrics/Prometheus TYPE).
import { KIND_DEFINITIONS } from '@mvx-metrics/core/kinds';
import { describe, expect, it } from 'vitest';
import { adapterFor } from '../../packages/otel-bridge/src/kinds/index.js';
import { tables } from './markdown.js';

const FILE = 'docs/prometheus-grafana.md';

function kindRows(): Map<string, string[]> {
  const table = tables(FILE).find((t) => t.header[0] === 'Core kind');
  if (table === undefined)
    throw new Error(`${FILE} has no table whose first column is "Core kind"`);
  const rows = new Map<string, string[]>();
  for (const row of table.rows) {
    // a built-in kind's row starts with the kind in backticks; hand-written and self-telemetry rows do not
    const kind = /^`([^`]+)`$/.exec(row.cells[0] ?? '')?.[1];
    if (kind !== undefined) rows.set(kind, row.cells);
  }
  return rows;
}

describe('the metric kinds table', () => {
  it("has a row for every kind in core's registry, and for no other", () => {
    const rows = kindRows();
    expect([...rows.keys()].sort()).toEqual(KIND_DEFINITIONS.map((d) => d.kind).sort());
  });

  it('gives each kind the Prometheus type its adapter prints', () => {
    for (const [kind, cells] of kindRows()) {
      const type = (cells[2] ?? '').split(',')[0]?.trim();
      expect(type, kind).toBe(adapterFor({ name: 'x', kind }).openMetrics.type);
    }
  });
});
