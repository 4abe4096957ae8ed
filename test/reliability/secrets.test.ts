import { createServer, type Server, validateHeaderName, validateHeaderValue } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { counter, MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import {
  createOtelPipeline,
  type OtelPipelineOptions,
  type OtlpProtocol,
} from '@mvx-metrics/otel-bridge/pipeline';
import { globalErrorHandler, parseKeyPairsIntoRecord } from '@opentelemetry/core';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

// Whatever a header value, an endpoint's userinfo or its query string holds, and however the
// configuration is malformed, no form of it reaches anything a user can read: onError reports
// (message, stack, cause chain, every property), the default console.warn, a thrown error, a
// rejected forceFlush, and /metrics (target_info, self-telemetry) in both formats. The collector
// here is hostile: it answers 400 and echoes the request line and every header in its body.

const VARIABLES = ['', 'METRICS_', 'TRACES_'];
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// Characters that change how a URL or a header list is read, placed raw into secrets.
const ODD = ['-', '.', '_', '~', '!', '$', '&', "'", '(', ')', '*', '+', ';', '=', ':', '@', '/'];
const ODD_MORE = [...ODD, '%', ' ', '?', '#', '"', '[', ']', '\\'];

let collector: Server;
let collectorPort = 0;
/** Requests the collector echoed back: exports did reach it with the secrets. */
let echoed = 0;
const savedEnv = { ...process.env };
const savedArgv = [...process.argv];

beforeAll(async () => {
  collector = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      echoed++;
      response.writeHead(400, { 'content-type': 'text/plain' });
      response.end(`rejected ${request.method} ${request.url} ${JSON.stringify(request.headers)}`);
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  collectorPort = (collector.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => collector.close(resolve));
});

function clearOtelEnv(): void {
  for (const name of Object.keys(process.env)) {
    if (name.startsWith('OTEL_')) delete process.env[name];
  }
}
beforeEach(clearOtelEnv);
afterEach(() => {
  clearOtelEnv();
  Object.assign(process.env, savedEnv);
  process.argv.splice(0, process.argv.length, ...savedArgv);
  vi.restoreAllMocks();
});

/** A secret: a distinctive alphanumeric core, sometimes with one character that URLs and header lists treat specially. */
const secretArb = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 5, maxLength: 12 }),
    fc.option(fc.constantFrom(...ODD_MORE), { nil: undefined }),
    fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 5, maxLength: 12 }),
  )
  .map(([left, odd, right]) => `Zq${left}${odd ?? ''}${right}`);

/** Every form the secret may take on its way out: raw, percent-encoded (both ways), JSON-escaped, in Basic auth. */
function forms(secret: string): string[] {
  const url = new URL('http://h/');
  url.password = secret;
  const query = new URL('http://h/');
  query.searchParams.set('t', secret);
  const out = new Set([
    secret,
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
    url.password,
    query.search.slice(3),
    Buffer.from(`user:${secret}`).toString('base64'),
    Buffer.from(`${secret}:`).toString('base64'),
  ]);
  // Runs of 10+ alphanumerics: half a secret cut at its odd character is still a leak.
  for (const run of secret.match(/[A-Za-z0-9]{10,}/g) ?? []) out.add(run);
  return [...out];
}

/** Everything a user can print of a value: inspect (hidden properties too), String, JSON, the cause chain. */
function readable(value: unknown): string {
  const parts: string[] = [];
  const attempt = (f: () => unknown) => {
    try {
      parts.push(String(f()));
    } catch {
      // not printable that way
    }
  };
  attempt(() =>
    inspect(value, { depth: 20, showHidden: true, breakLength: Number.POSITIVE_INFINITY }),
  );
  attempt(() => String(value));
  attempt(() => JSON.stringify(value));
  let link: unknown = value;
  for (let i = 0; i < 12 && typeof link === 'object' && link !== null; i++) {
    const error = link as { message?: unknown; stack?: unknown; cause?: unknown };
    attempt(() => error.message);
    attempt(() => error.stack);
    attempt(() => JSON.stringify(error));
    link = error.cause;
  }
  return parts.join('\n');
}

interface Seen {
  readonly outputs: string[];
  created: boolean;
}

/**
 * Builds a pipeline from `options` (and the environment the caller set), exports both signals to
 * the echoing collector, scrapes /metrics in both formats, shuts down; collects every text a user
 * could read on the way.
 */
async function exercise(options: OtelPipelineOptions, useOnError: boolean): Promise<Seen> {
  const seen: Seen = { outputs: [], created: false };
  const warn = vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    seen.outputs.push(args.map(readable).join(' '));
  });
  const onError = (error: Error) => seen.outputs.push(readable(error));
  let pipeline: Awaited<ReturnType<typeof createOtelPipeline>>;
  try {
    pipeline = await createOtelPipeline({
      serviceName: 'secrets',
      prometheus: { host: '127.0.0.1', port: 0 },
      registerGlobals: false,
      shutdownTimeoutMs: 2_000,
      ...options,
      ...(useOnError ? { onError } : {}),
    });
  } catch (error) {
    seen.outputs.push(readable(error));
    warn.mockRestore();
    return seen;
  }
  seen.created = true;
  const runtime = new MetricsRuntime({ namespace: 'sec', onError });
  runtime.start();
  const bridge = attachOtelBridge(runtime, {
    meterProvider: pipeline.meterProvider,
    tracerProvider: pipeline.tracerProvider,
    spans: true,
    onError,
  });
  const recorder = runtime.createRecorder('r', {
    metrics: [counter({ name: 'events', on: 'e' })],
  });
  recorder.registerEvent({ type: 'e' });
  await recorder.flush();
  pipeline.tracerProvider.getTracer('t').startSpan('s').end();
  await pipeline.meterProvider.forceFlush().catch((error) => seen.outputs.push(readable(error)));
  await pipeline.tracerProvider.forceFlush().catch((error) => seen.outputs.push(readable(error)));
  const url = pipeline.prometheusUrl as string;
  seen.outputs.push(await (await fetch(url)).text());
  const openMetrics = { accept: 'application/openmetrics-text;version=1.0.0' };
  seen.outputs.push(await (await fetch(url, { headers: openMetrics })).text());
  await runtime.shutdown();
  bridge.detach();
  await pipeline.shutdown();
  warn.mockRestore();
  return seen;
}

function expectNoSecret(seen: Seen, secret: string): void {
  const all = seen.outputs.join('\n');
  for (const form of forms(secret)) {
    if (all.includes(form)) {
      const at = all.indexOf(form);
      throw new Error(
        `secret form ${JSON.stringify(form)} leaked: …${all.slice(Math.max(0, at - 200), at + 80)}…`,
      );
    }
  }
}

/** Whether OpenTelemetry reads `entry` as one header that Node sends (their code, not ours, decides). */
function sendable(entry: string): boolean {
  const pairs = Object.entries(parseKeyPairsIntoRecord(entry));
  if (pairs.length !== 1) return false;
  const [name, value] = pairs[0] as [string, string];
  return nodeSends(name, value);
}

/** Whether Node's http client accepts the header. */
function nodeSends(name: string, value: string): boolean {
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    return true;
  } catch {
    return false;
  }
}

const protocolArb = fc.constantFrom<OtlpProtocol>('http/protobuf', 'http/json', 'grpc');
const headerNameArb = fc.constantFrom('api-key', 'authorization', 'x-tenant-token', 'X-Api-Key');

/** A `key=value,…` entry holding the secret: well-formed, malformed, or refused by Node. */
function headerEntryArb(secret: string) {
  const encoded = encodeURIComponent(secret);
  return fc.oneof(
    headerNameArb.map((key) => `${key}=${encoded}`),
    headerNameArb.map((key) => `${key}=${secret}`),
    headerNameArb.map((key) => `${key}=Bearer%20${encoded}`),
    fc.constant(secret), // no `=`
    fc.constant(`Authorization: Bearer ${secret}`), // a colon where `=` belongs
    fc.constant(`=${secret}`), // empty key
    headerNameArb.map((key) => `${key}=%ZZ${encoded}`), // bad percent-encoding
    headerNameArb.map((key) => `${key}=${encoded}%0D%0Ax-injected: 1`), // CR/LF
    headerNameArb.map((key) => `${key}=${encoded}%00`), // NUL
    fc.constant(`bad key=${encoded}`), // a name that is no HTTP token
    headerNameArb.map((key) => `${key}=${encoded};property=1`),
  );
}

/** An endpoint holding the secret in its userinfo, query or fragment; valid, scheme-less, odd or malformed. */
function endpointArb(secret: string) {
  const at = `127.0.0.1:${collectorPort}`;
  const enc = encodeURIComponent(secret);
  return fc.constantFrom(
    `http://user:${enc}@${at}`,
    `http://user:${enc}@${at}/`,
    `http://${enc}@${at}/`,
    `https://user:${enc}@${at}/`,
    `http://${at}/?token=${enc}`,
    `http://${at}/v1/metrics?api_key=${enc}&x=1#frag`,
    `http://user:${enc}@${at}/custom?sig=${enc}`,
    `http://${at}/#${enc}`,
    `http://user:${secret}@${at}/`,
    `user:${secret}@${at}`,
    `${secret}@${at}`,
    `${at}/?token=${secret}`,
    `http//user:${secret}@${at}`,
    `htp://user:${secret}@${at}`,
    `ftp://user:${secret}@${at}/`,
    `grpc://user:${secret}@${at}`,
    `unix:///tmp/otlp.sock?token=${secret}`,
    `unix://user:${secret}@/tmp/otlp.sock`,
    `http://user:${secret}@ho st:4318`,
    `http://user:${secret}@[::1:4318`,
    `http://user:${secret}@127.0.0.1:99999`,
    `  http://user:${enc}@${at}  `,
    `HTTP://USER:${enc}@${at}/`,
  );
}

describe('no secret reaches anything a user can read', () => {
  it('header lists in OTEL_EXPORTER_OTLP_*HEADERS, well-formed or not', async () => {
    const arb = secretArb.chain((secret) =>
      fc.record({
        secret: fc.constant(secret),
        variable: fc.constantFrom(...VARIABLES),
        entries: fc.array(headerEntryArb(secret), { minLength: 1, maxLength: 3 }),
        extra: fc.boolean(),
        protocol: protocolArb,
        useOnError: fc.boolean(),
      }),
    );
    let runs = 0;
    const before = echoed;
    await fc.assert(
      fc.asyncProperty(arb, async ({ secret, variable, entries, extra, protocol, useOnError }) => {
        clearOtelEnv();
        process.env[`OTEL_EXPORTER_OTLP_${variable}HEADERS`] = [
          ...entries,
          ...(extra ? ['x-ok=1'] : []),
        ].join(',');
        process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${collectorPort}`;
        process.env.OTEL_EXPORTER_OTLP_PROTOCOL = protocol;
        process.env.OTEL_EXPORTER_OTLP_TIMEOUT = '1000';
        const seen = await exercise({}, useOnError);
        expectNoSecret(seen, secret);
        if (seen.created) runs++;
        const wellFormed = entries.every(sendable);
        if (!wellFormed && !seen.created) {
          // gRPC: OpenTelemetry's exporter refuses it in its constructor; the variable is named
          expect(protocol).toBe('grpc');
          expect(seen.outputs.join('\n')).toMatch(
            /OTEL_EXPORTER_OTLP_HEADERS \(or its _METRICS_\/_TRACES_ variant\) cannot be sent as gRPC metadata/,
          );
        } else if (!wellFormed) {
          // named, with what is wrong; the value is not shown at all
          expect(seen.outputs.join('\n')).toMatch(
            new RegExp(
              `OTEL_EXPORTER_OTLP_${variable}HEADERS \\(value not shown\\) is invalid \\(.*entr`,
            ),
          );
        }
      }),
      { numRuns: 30 },
    );
    expect(runs).toBeGreaterThan(0);
    expect(echoed - before).toBeGreaterThan(0);
  }, 120_000);

  it('otlp.headers: a CR/LF (or any character Node refuses) is refused at wiring, naming the option, never the value', async () => {
    const bad = fc.constantFrom(
      '\r\n',
      '\n',
      '\r',
      '\u0000',
      '\u001f',
      '\u007f',
      '\u20ac',
      '\u00e9',
    );
    const arb = secretArb.chain((secret) =>
      fc.record({
        secret: fc.constant(secret),
        headers: fc.oneof(
          headerNameArb.map((key) => ({ [key]: secret })),
          fc
            .tuple(headerNameArb, bad, fc.boolean())
            .map(([key, c, before]) => ({ [key]: before ? `${c}${secret}` : `${secret}${c}x` })),
          fc.constant({ [`Authorization: Bearer ${secret}`]: 'x' }),
          fc.constant({ [`x-token\r\n${secret}`]: 'x' }),
        ),
        protocol: protocolArb,
        useOnError: fc.boolean(),
      }),
    );
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(arb, async ({ secret, headers, protocol, useOnError }) => {
        clearOtelEnv();
        const seen = await exercise(
          {
            otlp: {
              endpoint: `http://127.0.0.1:${collectorPort}`,
              protocol,
              headers,
              timeoutMs: 1_000,
            },
          },
          useOnError,
        );
        expectNoSecret(seen, secret);
        const valid = Object.entries(headers).every(([k, v]) => nodeSends(k, v));
        const grpcRefuses =
          protocol === 'grpc' && Object.values(headers).some((v) => /[^\x20-\x7e]/.test(v));
        if (valid && grpcRefuses) {
          expect(seen.created).toBe(false);
          expect(seen.outputs.join('\n')).toMatch(
            /otlp\.headers\["[^"]+"\] cannot be sent as gRPC metadata/,
          );
        }
        if (!valid) {
          refused++;
          expect(seen.created).toBe(false);
          expect(seen.outputs.join('\n')).toMatch(/otlp\.headers/);
        }
      }),
      { numRuns: 30 },
    );
    expect(refused).toBeGreaterThan(0);
  }, 120_000);

  it('otlp.headers over gRPC: a value HTTP allows but gRPC metadata does not (Latin-1) is refused, named, not quoted', async () => {
    const secret = 'ZqCaf\u00e9Secret0123456789';
    const seen = await exercise(
      {
        otlp: {
          endpoint: `http://127.0.0.1:${collectorPort}`,
          protocol: 'grpc',
          headers: { 'x-api-key': secret },
        },
      },
      true,
    );
    expect(seen.created).toBe(false);
    expect(seen.outputs.join('\n')).toMatch(
      /otlp\.headers\["x-api-key"\] cannot be sent as gRPC metadata/,
    );
    expectNoSecret(seen, secret);
    expect(seen.outputs.join('\n')).not.toContain('Secret0123456789');
  });

  it('endpoints with userinfo, query or fragment, valid, scheme-less or malformed, in a variable or an option', async () => {
    const arb = secretArb.chain((secret) =>
      fc.record({
        secret: fc.constant(secret),
        endpoint: endpointArb(secret),
        where: fc.constantFrom(
          ...VARIABLES.map((v) => `OTEL_EXPORTER_OTLP_${v}ENDPOINT`),
          'endpoint',
          'metricsUrl',
          'tracesUrl',
        ),
        protocol: protocolArb,
        useOnError: fc.boolean(),
      }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ({ secret, endpoint, where, protocol, useOnError }) => {
        clearOtelEnv();
        process.env.OTEL_EXPORTER_OTLP_TIMEOUT = '1000';
        let options: OtelPipelineOptions;
        if (where.startsWith('OTEL_')) {
          process.env[where] = endpoint;
          process.env.OTEL_EXPORTER_OTLP_PROTOCOL = protocol;
          options = {};
        } else {
          options = { otlp: { [where]: endpoint, protocol, timeoutMs: 1_000 } };
        }
        const seen = await exercise(options, useOnError);
        expectNoSecret(seen, secret);
        const malformed =
          !/^\s*https?:\/\/[^\s[]+:\d{1,5}(\/\S*)?\s*$/i.test(endpoint) ||
          / |\[|99999/.test(endpoint.trim());
        if (malformed && !where.startsWith('OTEL_')) {
          // refused at wiring: the option named, what is wrong said, the value not shown at all
          expect(seen.created).toBe(false);
          const thrown = seen.outputs.join('\n');
          expect(thrown).toMatch(new RegExp(`otlp\\.${where} must be an http\\(s\\) URL`));
          expect(thrown).not.toContain(`127.0.0.1:${collectorPort}`);
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it("errors OpenTelemetry's global error handler passes on (any exporter's, not only the pipeline's)", async () => {
    const arb = secretArb.chain((secret) =>
      fc.record({
        secret: fc.constant(secret),
        // in free text a URL ends at whitespace: a raw space in a password cannot be recognised
        endpoint: endpointArb(secret).filter((e) => /^\s*[a-z]+:\/\/\S*\s*$/i.test(e)),
        shape: fc.constantFrom('message', 'cause', 'property', 'string'),
        useOnError: fc.boolean(),
      }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ({ secret, endpoint, shape, useOnError }) => {
        clearOtelEnv();
        const seen: Seen = { outputs: [], created: true };
        const warn = vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
          seen.outputs.push(args.map(readable).join(' '));
        });
        const pipeline = await createOtelPipeline({
          serviceName: 'secrets',
          prometheus: false,
          registerGlobals: false,
          ...(useOnError ? { onError: (error: Error) => seen.outputs.push(readable(error)) } : {}),
        });
        const failure = `export to ${endpoint} failed`;
        globalErrorHandler(
          shape === 'message'
            ? new Error(failure)
            : shape === 'cause'
              ? new Error('export failed', { cause: new Error(failure) })
              : shape === 'property'
                ? Object.assign(new Error('export failed'), { url: endpoint.trim() })
                : failure,
        );
        await pipeline.shutdown();
        warn.mockRestore();
        expect(seen.outputs.length).toBeGreaterThan(0);
        expectNoSecret(seen, secret);
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it("the command line (process.command_args on target_info): --otlp-endpoint's userinfo and query", async () => {
    const arb = secretArb.chain((secret) =>
      fc.record({
        secret: fc.constant(secret),
        endpoint: endpointArb(secret).filter((e) => /^\s*[a-z]+:\/\//i.test(e)),
        inline: fc.boolean(),
        passed: fc.boolean(),
      }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ({ secret, endpoint, inline, passed }) => {
        clearOtelEnv();
        process.argv.splice(
          0,
          process.argv.length,
          ...savedArgv,
          ...(inline ? [`--otlp-endpoint=${endpoint}`] : ['--otlp-endpoint', endpoint]),
        );
        const seen = await exercise(passed ? { otlp: { endpoint, timeoutMs: 1_000 } } : {}, true);
        expectNoSecret(seen, secret);
        if (seen.created) {
          // the detector still runs: the command line is there, only its secrets are hidden
          expect(seen.outputs.join('\n')).toMatch(/process_command_args="[^\n]*--otlp-endpoint/);
        }
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
