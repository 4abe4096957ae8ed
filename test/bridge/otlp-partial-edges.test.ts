// What onError and `mvx.export.data_points` say about each answer a collector gives a metric export,
// in a few milliseconds per export (forceFlush, no export interval or timeout waited for): a
// partial success (rejected data points, a warning, both, neither, odd int64 encodings, odd or
// missing messages, messages with control characters or past the 200-character bound), a failure.
// The slow property test in export-outcomes.test.ts covers the same ground with random scripts and
// timeouts; this file is what a mutation run of src/otlp can afford. Requests are decoded and
// protobuf responses encoded with OpenTelemetry's published definitions, never the code under test.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { DiagLogLevel, diag } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isolatedOtelEnv, type Json } from './otel-env-support.js';
import { decodeOtlp, OTLP_SERVICES } from './otlp-protos.js';
import { attributesOf, listenOnLoopback } from './otlp-receiver.js';

const { setEnv, cleanups } = isolatedOtelEnv();

/** How the collector answers one export request. */
type Answer =
  /** A partial success, encoded by the request's content type (`rejectedDataPoints` as given). */
  | { readonly partial: { rejectedDataPoints?: unknown; errorMessage?: unknown } }
  /** A 200 with this JSON text as the body (http/json only: shapes protobuf cannot carry). */
  | { readonly rawJson: string }
  | { readonly status: 400 }
  | 'ok';

interface Request {
  readonly body: Json;
  /** Data points and metrics in the request, counted by the collector. */
  readonly points: number;
  readonly metrics: number;
}

function sizeOf(body: Json): { points: number; metrics: number } {
  let points = 0;
  let metrics = 0;
  for (const rm of body?.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        metrics++;
        const data = m.sum ?? m.gauge ?? m.histogram ?? m.exponentialHistogram ?? m.summary;
        points += data?.dataPoints?.length ?? 0;
      }
    }
  }
  return { points, metrics };
}

/** An OTLP/HTTP metrics collector on 127.0.0.1 answering request `i` as `answers[i]` (then 'ok'). */
async function collector(answers: readonly Answer[]) {
  const requests: Request[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const json = (request.headers['content-type'] ?? '').includes('json');
      const body = json ? JSON.parse(raw.toString('utf8')) : decodeOtlp('metrics', raw);
      const answer = answers[requests.length] ?? 'ok';
      requests.push({ body, ...sizeOf(body) });
      const contentType = json ? 'application/json' : 'application/x-protobuf';
      if (answer === 'ok') {
        response.writeHead(200, { 'content-type': contentType });
        response.end(json ? '{}' : '');
      } else if ('status' in answer) {
        response.writeHead(answer.status, { 'content-type': 'application/json' });
        response.end('{"code":3,"message":"bad request"}');
      } else if ('rawJson' in answer) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(answer.rawJson);
      } else if (json) {
        response.writeHead(200, { 'content-type': contentType });
        response.end(JSON.stringify({ partialSuccess: answer.partial }));
      } else {
        const { response: type } = OTLP_SERVICES.metrics;
        response.writeHead(200, { 'content-type': contentType });
        response.end(Buffer.from(type.encode({ partialSuccess: answer.partial }).finish()));
      }
    });
  });
  const { port, close } = await listenOnLoopback(server);
  cleanups.push(close);
  return { url: `http://127.0.0.1:${port}/v1/metrics`, requests };
}

type Protocol = 'http/json' | 'http/protobuf';

/**
 * A pipeline exporting metrics only to a collector answering `answers`; `exports` forceFlushes,
 * each with a few more data points (one counter, a new attribute set each time).
 */
async function run(protocol: Protocol, answers: readonly Answer[], exports = answers.length + 1) {
  setEnv({ OTEL_TRACES_EXPORTER: 'none' });
  const { url, requests } = await collector(answers);
  const reports: Array<Error & { code?: string; cause?: unknown }> = [];
  const pipeline = await createOtelPipeline({
    serviceName: 'partial-edges',
    prometheus: false,
    registerGlobals: false,
    onError: (error) => reports.push(error),
    otlp: { protocol, metricsUrl: url, intervalMs: 3_600_000 },
  });
  cleanups.push(() => pipeline.shutdown());
  const counter = pipeline.meterProvider.getMeter('edges').createCounter('edges.jobs');
  for (let i = 0; i < exports; i++) {
    counter.add(1, { job: `j${i}` });
    counter.add(2, { job: `k${i}` });
    await pipeline.meterProvider.forceFlush();
  }
  expect(requests).toHaveLength(exports);
  return { reports, requests, pipeline };
}

/** `mvx.export.data_points` as a request carried it: value by outcome (exporter `otlp` only). */
function dataPointsCounter(body: Json): Record<string, number> {
  const out: Record<string, number> = {};
  for (const rm of body.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        if (m.name !== 'mvx.export.data_points') continue;
        expect(m.unit).toBe('{data_point}');
        expect(m.description).toMatch(/^Data points handed to a metric exporter, by outcome/);
        for (const p of m.sum.dataPoints) {
          const attributes = attributesOf(p.attributes) as { outcome: string; exporter: string };
          expect(Object.keys(attributes).sort()).toEqual(['exporter', 'outcome']);
          expect(attributes.exporter).toBe('otlp');
          out[attributes.outcome] = Number(p.asDouble ?? p.asInt);
        }
      }
    }
  }
  return out;
}

/** The collector's words as onError must show them: one line, trimmed, at most 200 characters, quoted. */
function shown(message: unknown): string {
  const text = typeof message === 'string' ? message : '';
  let flat = '';
  let inRun = false;
  for (const char of text) {
    const control = /\p{Cc}/u.test(char) || char === '\u2028' || char === '\u2029';
    if (control && !inRun) flat += ' ';
    if (!control) flat += char;
    inRun = control;
  }
  flat = flat.trim();
  if (flat.length > 200) flat = `${flat.slice(0, 200)}…`;
  return flat === '' ? 'without a message' : `saying ${JSON.stringify(flat)}`;
}

/** What a rejected count is worth: a safe positive integer, at most the export's data points. */
function rejectedOf(value: unknown, points: number): number {
  const n = Number(String(value ?? 0));
  return Number.isSafeInteger(n) && n > 0 ? Math.min(n, points) : 0;
}

/** Whether the specification calls this partialSuccess a full success (nothing to report). */
function isFullSuccess(partial: { rejectedDataPoints?: unknown; errorMessage?: unknown }): boolean {
  const claimed = String(partial.rejectedDataPoints ?? 0);
  const message = typeof partial.errorMessage === 'string' ? partial.errorMessage : '';
  return (claimed === '0' || claimed === '') && message === '';
}

/** The export-partial message for `partial` answered to `request`. */
function expectedPartial(
  protocol: Protocol,
  partial: { rejectedDataPoints?: unknown; errorMessage?: unknown },
  request: Request,
): string {
  const rejected = rejectedOf(partial.rejectedDataPoints, request.points);
  const claimed = String(partial.rejectedDataPoints ?? 0);
  const says = shown(partial.errorMessage);
  const what = `${request.points} (metrics: ${request.metrics})`;
  if (rejected === 0 && (claimed === '0' || claimed === '')) {
    return `OTLP ${protocol} metric export: the collector accepted every data point with a warning, ${says}; data points: ${what}`;
  }
  return `OTLP ${protocol} metric export: the collector rejected part of the export (partial success), ${says}; data points rejected: ${rejected} of ${what}`;
}

describe('a partial success reaches onError once, worded from what the collector said', () => {
  // Each case: the partialSuccess (JSON shape), and what onError must say about it.
  const cases: Array<[string, { rejectedDataPoints?: unknown; errorMessage?: unknown }]> = [
    ['rejected, with a message', { rejectedDataPoints: 2, errorMessage: 'metric name invalid' }],
    ['rejected, no message', { rejectedDataPoints: 1 }],
    ['rejected, empty message', { rejectedDataPoints: 3, errorMessage: '' }],
    ['more rejected than sent', { rejectedDataPoints: 100_000, errorMessage: 'all of it' }],
    ['a warning only', { rejectedDataPoints: 0, errorMessage: 'slow down' }],
    ['a warning, count left out', { errorMessage: 'deprecated field' }],
    [
      'control characters, runs of them',
      { rejectedDataPoints: 1, errorMessage: ' a\r\nb\u2028\u2029c\u0000d\t ' },
    ],
    ['exactly 200 characters', { rejectedDataPoints: 1, errorMessage: 'x'.repeat(200) }],
    ['201 characters', { rejectedDataPoints: 1, errorMessage: `${'y'.repeat(199)}zW` }],
    ['5 000 characters', { rejectedDataPoints: 1, errorMessage: 'q'.repeat(5_000) }],
  ];
  for (const protocol of ['http/json', 'http/protobuf'] as const) {
    it(`${protocol}: ${cases.length} answers, each told as export-partial`, async () => {
      const answers: Answer[] = cases.map(([, partial]) => ({ partial }));
      const { reports, requests } = await run(protocol, answers);
      expect(reports.map((r) => r.code)).toEqual(cases.map(() => 'export-partial'));
      cases.forEach(([name, partial], i) => {
        expect(reports[i]?.message, name).toBe(
          expectedPartial(protocol, partial, requests[i] as Request),
        );
        expect(reports[i]?.name).toBe('OtelBridgeError');
      });
      // the exported and rejected data points add up to what was sent, in the next export
      const last = requests[requests.length - 1] as Request;
      let rejected = 0;
      let sent = 0;
      cases.forEach(([, partial], i) => {
        const { points } = requests[i] as Request;
        sent += points;
        rejected += rejectedOf(partial.rejectedDataPoints, points);
      });
      expect(dataPointsCounter(last.body)).toEqual({ exported: sent - rejected, rejected });
    });
  }

  it('http/json: odd encodings of the count and the message, as the JSON mapping may carry them', async () => {
    const odd: Array<{ rejectedDataPoints?: unknown; errorMessage?: unknown }> = [
      { rejectedDataPoints: '4', errorMessage: 'as a decimal string' },
      { rejectedDataPoints: '0', errorMessage: 'zero as a string' },
      { rejectedDataPoints: '', errorMessage: 'an empty count' },
      { rejectedDataPoints: 'abc', errorMessage: 'not a number' },
      { rejectedDataPoints: '-3' },
      { rejectedDataPoints: '99999999999999999999', errorMessage: 'past 2^53' },
      { rejectedDataPoints: 2, errorMessage: 5 },
      { rejectedDataPoints: 2, errorMessage: null },
    ];
    const { reports, requests } = await run(
      'http/json',
      odd.map((partial) => ({ partial })),
    );
    expect(reports.map((r) => r.message)).toEqual(
      odd.map((partial, i) => expectedPartial('http/json', partial, requests[i] as Request)),
    );
    // pinned, not only derived: the oracle above could share a mistake with the code
    expect(reports[2]?.message).toContain(
      'accepted every data point with a warning, saying "an empty count"; data points: ',
    );
    expect(reports[3]?.message).toMatch(
      /rejected part of the export \(partial success\), saying "not a number"; data points rejected: 0 of \d+ /,
    );
    expect(reports[4]?.message).toMatch(/, without a message; data points rejected: 0 of /);
    expect(reports[5]?.message).toMatch(/; data points rejected: 0 of /);
    expect(reports[6]?.message).toMatch(/, without a message; data points rejected: 2 of /);
  });

  it('http/json: what the specification calls full success, and bodies without a partialSuccess, report nothing', async () => {
    const answers: Answer[] = [
      { partial: {} },
      { partial: { rejectedDataPoints: 0, errorMessage: '' } },
      { partial: { rejectedDataPoints: '0' } },
      { partial: { rejectedDataPoints: '' } },
      { partial: { errorMessage: 7 } },
      { rawJson: '{"partialSuccess":null}' },
      { rawJson: '{"partialSuccess":"none"}' },
      { rawJson: 'null' },
      { rawJson: '' },
    ];
    // what OpenTelemetry logs to diag (OTEL_LOG_LEVEL) about the responses
    const warnings: string[] = [];
    const keep = (...args: unknown[]) => warnings.push(args.map(String).join(' '));
    diag.setLogger(
      { error: keep, warn: keep, info: () => {}, debug: () => {}, verbose: () => {} },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    );
    cleanups.push(() => diag.disable());
    const { reports, requests } = await run('http/json', answers);
    expect(reports).toEqual([]);
    // every response was handled: none made the exporter warn that it could not read it
    expect(warnings.filter((w) => /deserialize|could not/i.test(w))).toEqual([]);
    const last = requests[requests.length - 1] as Request;
    const sent = requests.slice(0, -1).reduce((sum, r) => sum + r.points, 0);
    // nothing rejected: no `rejected` series at all, not one at 0
    expect(dataPointsCounter(last.body)).toEqual({ exported: sent });
  });

  it('whatever the answers, onError tells each non-empty partial success once, on one bounded line', async () => {
    const partial = fc.record(
      {
        rejectedDataPoints: fc.oneof(
          fc.nat({ max: 50 }),
          fc.nat({ max: 50 }).map(String),
          fc.constantFrom(0, '0', '', -1, 1e300, 'x'),
        ),
        errorMessage: fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.string({ unit: 'binary', maxLength: 260 }),
          fc.constantFrom('', ' \n ', 'x'.repeat(199), 'x'.repeat(201)),
        ),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Protocol>('http/json', 'http/protobuf'),
        fc.array(partial, { minLength: 1, maxLength: 4 }),
        async (protocol, partials) => {
          // protobuf carries only integers for the count (and strings for the message)
          const sent =
            protocol === 'http/json'
              ? partials
              : partials.map((p) => ({
                  ...p,
                  ...(p.rejectedDataPoints === undefined
                    ? {}
                    : { rejectedDataPoints: rejectedOf(p.rejectedDataPoints, 1e6) }),
                }));
          const { reports, requests, pipeline } = await run(
            protocol,
            sent.map((p) => ({ partial: p })),
          );
          await pipeline.shutdown();
          const told = sent
            .map((p, i) => ({ p, request: requests[i] as Request }))
            .filter(({ p }) => !isFullSuccess(p));
          expect(reports.map((r) => r.message)).toEqual(
            told.map(({ p, request }) => expectedPartial(protocol, p, request)),
          );
          for (const report of reports) {
            expect(report.code).toBe('export-partial');
            expect(report.message).not.toMatch(/[\p{Cc}\u2028\u2029]/u);
            expect(report.message.length).toBeLessThan(420);
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});

describe('a failed export reaches onError once, its data points counted as failed', () => {
  it('http/protobuf, a 400: one export-failed naming the data points, the exporter error as its cause', async () => {
    const { reports, requests } = await run('http/protobuf', [{ status: 400 }, 'ok'], 3);
    // the periodic reader's restatement of the failure (global error handler) is not told again
    expect(reports).toHaveLength(1);
    const [report] = reports;
    const first = requests[0] as Request;
    expect(report?.code).toBe('export-failed');
    expect(report?.message).toMatch(
      new RegExp(
        `^OTLP http/protobuf metric export failed: .+; data points not exported: ${first.points} \\(metrics: ${first.metrics}\\)$`,
      ),
    );
    expect(report?.cause).toBeInstanceOf(Error);
    expect(String(report?.message)).not.toContain('mvx-metrics: export failure reported');
    const second = requests[1] as Request;
    expect(dataPointsCounter((requests[2] as Request).body)).toEqual({
      failed: first.points,
      exported: second.points,
    });
  });
});
