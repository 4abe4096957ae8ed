// Every Prometheus series the README and docs/ show is one the example exports: the test starts
// the example service (packages/examples, as `npm start` wires it), sends it each kind of request,
// scrapes its /metrics and compares names and label keys with
//  - every line of a code block marked `<!-- scrape-sample: … -->`, and
//  - every series name written in backticks in the prose (`docs_…`, `mvx_recorder_…`,
//    `mvx_runtime_…`, `http_…`, `nodejs_…`, `v8js_…`, `target_info`), with the label keys given
//    in braces, if any. Series that need a configuration the example runs without
//    (`mvx_export_…` with OTLP on, `mvx_cluster`'s with a cluster primary) are outside it.
// The naming-rules table of docs/prometheus-grafana.md (instrument, unit, kind → name) lists rule
// examples, not exported series: prometheus-units.test.ts checks it against the rules instead.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseConfig } from '../../packages/examples/src/config.js';
import { type RunningService, startDocumentService } from '../../packages/examples/src/wiring.js';
import { codeBlocks, markdownFiles, prose, tables } from './markdown.js';

/** Series name → the label keys seen on it, from a Prometheus text body. */
function families(body: string): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  for (const line of body.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? \S+/.exec(line);
    if (m === null) continue;
    const keys = result.get(m[1] as string) ?? new Set<string>();
    for (const k of (m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="/g)) keys.add(k[1] as string);
    result.set(m[1] as string, keys);
  }
  return result;
}

/** A series as the docs write it: `name`, `name{a,b}` or `name{a="x",...}`. */
interface Shown {
  where: string;
  name: string;
  labels: string[];
}

function parseShown(text: string, where: string): Shown | undefined {
  const m = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})?/.exec(text.trim());
  if (m === null) return undefined;
  const labels = (m[2] ?? '')
    .split(',')
    .map((part) => part.split('=')[0]?.trim() ?? '')
    .filter((key) => key !== '' && key !== '...' && key !== '…');
  return { where, name: m[1] as string, labels };
}

const SERIES =
  /`((?:docs|mvx_recorder|mvx_runtime|nodejs|v8js|http)_[a-z_]+(?:\{[^}`]*\})?|target_info(?:\{[^}`]*\})?)/g;

function shownSeries(): Shown[] {
  const shown: Shown[] = [];
  for (const file of markdownFiles()) {
    for (const block of codeBlocks(file)) {
      if (!block.marker?.startsWith('scrape-sample')) continue;
      block.code.split('\n').forEach((line, i) => {
        const s =
          line.trim() === '' ? undefined : parseShown(line, `${file}:${block.line + 1 + i}`);
        if (s !== undefined) shown.push(s);
      });
    }
    const ruleRows = new Set(
      tables(file)
        .filter((t) => t.header.join('|') === 'Instrument|Unit|Kind|Prometheus name')
        .flatMap((t) => t.rows.map((r) => r.line)),
    );
    prose(file)
      .split('\n')
      .forEach((text, i) => {
        if (ruleRows.has(i + 1)) return;
        for (const m of text.matchAll(SERIES)) {
          const s = parseShown(m[1] as string, `${file}:${i + 1}`);
          if (s !== undefined) shown.push(s);
        }
      });
  }
  return shown;
}

let service: RunningService;
let exported: Map<string, Set<string>>;
beforeAll(async () => {
  service = await startDocumentService(
    parseConfig(['--port', '0', '--metrics-port', '0', '--no-ui', '--no-load'], {}),
    { log: () => {} },
  );
  const put = (id: string, body: string) =>
    fetch(`${service.serviceUrl}/documents/${id}`, { method: 'PUT', body });
  await put('a', 'hello'); // created
  await put('a', 'hello again'); // replaced
  await put('faulty-b', 'x'); // the backend fails: 503
  await put('c', ''); // invalid: 400
  await fetch(`${service.serviceUrl}/documents/a`);
  await fetch(`${service.serviceUrl}/documents/missing`);
  await fetch(`${service.serviceUrl}/documents/a`, { method: 'DELETE' });
  const url = service.metricsUrl;
  if (url === undefined) throw new Error('the example serves no /metrics');
  // Node's runtime metrics report a GC only after one: make garbage until the scrape shows one.
  let body = '';
  for (let i = 0; i < 50 && !body.includes('v8js_gc_duration_seconds_bucket'); i++) {
    const garbage: number[][] = [];
    for (let j = 0; j < 200_000; j++) garbage.push([j]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    body = await (await fetch(url)).text();
  }
  exported = families(body);
}, 30_000);
afterAll(() => service?.shutdown());

describe('series shown in the README and docs/ are exported by the example', () => {
  const shown = shownSeries();

  test('the docs show series (the scrape sample among them) and the example exports some', () => {
    expect(
      shown.filter((s) => s.where.startsWith('docs/prometheus-grafana.md')).length,
    ).toBeGreaterThan(8);
    expect(exported.has('docs_document_save_attempts_total')).toBe(true);
  });

  test.each(shown.map((s) => [`${s.where} ${s.name}{${s.labels.join(',')}}`, s] as const))(
    '%s',
    (_, s) => {
      // A histogram is written by its family name too (`…_seconds`): its samples carry suffixes.
      const name = [s.name, `${s.name}_bucket`, `${s.name}_total`].find((n) => exported.has(n));
      expect(
        name,
        `${s.name} is exported (scraped: ${[...exported.keys()].join(' ')})`,
      ).toBeDefined();
      const keys = exported.get(name as string) as Set<string>;
      for (const label of s.labels) {
        if (label === 'le' && name?.endsWith('_bucket')) continue;
        expect([...keys], `${s.name} has label ${label}`).toContain(label);
      }
    },
  );
});
