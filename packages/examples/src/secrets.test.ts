import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import { ConfigError, parseConfig } from './config.js';
import { configRedactor } from './secrets.js';
import { type RunningService, startDocumentService } from './wiring.js';

// The example prints configuration mistakes and OpenTelemetry's diag warnings to the terminal:
// whatever `--otlp-endpoint` or the OTEL_EXPORTER_OTLP_* variables hold, no credential, query
// string or header value is among them.

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const secretArb = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 6, maxLength: 12 }),
    fc.option(fc.constantFrom('!', '$', "'", '*', ';', ':', '@', '/', '%', '?', '#', '"', ' ')),
    fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 6, maxLength: 12 }),
  )
  .map(([left, odd, right]) => `Zq${left}${odd ?? ''}${right}`);

function endpointArb(secret: string) {
  const enc = encodeURIComponent(secret);
  return fc.constantFrom(
    `http://user:${enc}@127.0.0.1:4318`,
    `http://127.0.0.1:4318/?token=${enc}`,
    `https://${enc}@collector:4318/#${enc}`,
    `user:${secret}@collector:4318`,
    `${secret}@collector`,
    `http//user:${secret}@collector`,
    `ftp://user:${secret}@collector/`,
    `http://user:${secret}@co llector`,
    `http://user:${secret}@[::1:4318`,
    `grpc://user:${secret}@collector:4317`,
  );
}

/** The secret, raw or percent-encoded, and its alphanumeric runs of 10 or more. */
function forms(secret: string): string[] {
  return [secret, encodeURIComponent(secret), ...(secret.match(/[A-Za-z0-9]{10,}/g) ?? [])];
}

function expectNoSecret(text: string, secret: string): void {
  for (const form of forms(secret)) expect(text).not.toContain(form);
}

describe('no secret in what the example prints', () => {
  test('a bad --otlp-endpoint is named, with what is wrong, never quoted', () => {
    fc.assert(
      fc.property(
        secretArb.chain((s) => fc.tuple(fc.constant(s), endpointArb(s), fc.boolean())),
        ([secret, endpoint, inline]) => {
          const argv = inline ? [`--otlp-endpoint=${endpoint}`] : ['--otlp-endpoint', endpoint];
          let message = '';
          try {
            parseConfig(argv, {});
          } catch (error) {
            expect(error).toBeInstanceOf(ConfigError);
            message = `${(error as Error).message}\n${(error as Error).stack}`;
            expect(message).toMatch(/--otlp-endpoint/);
          }
          expectNoSecret(message, secret);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("OpenTelemetry's diag lines quoting an endpoint or a header are redacted", () => {
    fc.assert(
      fc.property(
        secretArb.chain((s) =>
          fc.tuple(
            fc.constant(s),
            endpointArb(s),
            fc.constantFrom('', 'METRICS_', 'TRACES_'),
            fc.constantFrom(
              (v: string) =>
                `Configuration: Could not parse environment-provided export URL: '${v}', falling back to undefined`,
              (v: string) =>
                `Configuration: Provided URL appended with 'v1/metrics' is not a valid URL, using 'undefined' instead of '${v}v1/metrics'`,
              (v: string) => JSON.stringify({ message: `export to ${v} failed` }),
            ),
          ),
        ),
        ([secret, endpoint, infix, line]) => {
          const env = {
            [`OTEL_EXPORTER_OTLP_${infix}ENDPOINT`]: endpoint,
            [`OTEL_EXPORTER_OTLP_${infix}HEADERS`]: `api-key=${encodeURIComponent(secret)},${secret}`,
          };
          const redact = configRedactor(env, undefined);
          expectNoSecret(redact(line(endpoint)), secret);
          expectNoSecret(redact(`Header "api-key" has invalid value (${secret})`), secret);
        },
      ),
      { numRuns: 300 },
    );
  });

  const running: RunningService[] = [];
  const saved = { ...process.env };
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.shutdown()));
    for (const name of Object.keys(process.env)) {
      if (name.startsWith('OTEL_')) delete process.env[name];
    }
    Object.assign(process.env, saved);
  });

  test('the running example logs no secret of a malformed OTEL_EXPORTER_OTLP_* value', async () => {
    await fc.assert(
      fc.asyncProperty(
        secretArb.chain((s) =>
          fc.tuple(fc.constant(s), endpointArb(s), fc.constantFrom('', 'METRICS_', 'TRACES_')),
        ),
        async ([secret, endpoint, infix]) => {
          process.env[`OTEL_EXPORTER_OTLP_${infix}ENDPOINT`] = endpoint;
          process.env[`OTEL_EXPORTER_OTLP_${infix}HEADERS`] = `api-key=${secret},${secret}`;
          process.env.OTEL_EXPORTER_OTLP_TIMEOUT = '500';
          const lines: string[] = [];
          const config = parseConfig(['--port', '0', '--metrics-port', '0', '--no-ui'], {});
          let service: RunningService | undefined;
          try {
            service = await startDocumentService(config, { log: (line) => lines.push(line) });
            running.push(service);
            await service.shutdown();
          } catch (error) {
            lines.push(String(error), String((error as Error).stack));
          }
          expect(lines.length).toBeGreaterThan(0); // the mistakes were reported
          expectNoSecret(lines.join('\n'), secret);
          for (const name of Object.keys(process.env)) {
            if (name.startsWith('OTEL_')) delete process.env[name];
          }
        },
      ),
      { numRuns: 8 },
    );
  }, 120_000);
});
