// Each OTLP protocol's exporter is an optional peer dependency, imported only when chosen. Here the
// package a test names does not resolve, as in an install without it (the import fails with Node's
// ERR_MODULE_NOT_FOUND at the pipeline's optional-import seam: vitest's module mocks cannot make a
// dynamic import reject with Node's error code): createOtelPipeline rejects with an invalid-option
// MetricsWiringError naming the missing package and the protocol that needs it, per signal and
// protocol, and for @grpc/grpc-js, which gRPC metadata from the headers option needs.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isolatedOtelEnv } from './otel-env-support.js';

const { setEnv } = isolatedOtelEnv();

const missing = new Set<string>();
const SEAM = '../../packages/otel-bridge/src/internal/optional-import.js';

// The pipeline is imported afresh once the seam is mocked: in a mutation run the test files share
// one module graph (isolate: false), where another file loaded the pipeline already. The mock
// passes every import through unless a test named its package, so it changes nothing for others.
let createOtelPipeline: typeof import('@mvx-metrics/otel-bridge/pipeline').createOtelPipeline;
let MetricsWiringError: typeof import('@mvx-metrics/core').MetricsWiringError;
beforeAll(async () => {
  vi.resetModules();
  vi.doMock(SEAM, async (importOriginal) => {
    const real =
      await importOriginal<
        typeof import('../../packages/otel-bridge/src/internal/optional-import.js')
      >();
    return {
      optionalImport: <T>(load: () => Promise<T>, packageName: string, chosenBy: string) =>
        real.optionalImport(
          missing.has(packageName)
            ? () =>
                Promise.reject(
                  Object.assign(new Error(`Cannot find package '${packageName}'`), {
                    code: 'ERR_MODULE_NOT_FOUND',
                  }),
                )
            : load,
          packageName,
          chosenBy,
        ),
    };
  });
  ({ createOtelPipeline } = await import('@mvx-metrics/otel-bridge/pipeline'));
  ({ MetricsWiringError } = await import('@mvx-metrics/core'));
});
afterAll(() => {
  vi.doUnmock(SEAM);
  vi.resetModules();
});

afterEach(() => missing.clear());

async function rejection(
  signal: 'metrics' | 'traces',
  protocol: string,
  headers?: Record<string, string>,
): Promise<unknown> {
  setEnv({ [signal === 'metrics' ? 'OTEL_TRACES_EXPORTER' : 'OTEL_METRICS_EXPORTER']: 'none' });
  try {
    const pipeline = await createOtelPipeline({
      serviceName: 'missing',
      prometheus: false,
      registerGlobals: false,
      otlp: {
        protocol: protocol as 'grpc',
        endpoint: 'http://127.0.0.1:1',
        ...(headers === undefined ? {} : { headers }),
      },
    });
    await pipeline.shutdown();
    return undefined;
  } catch (error) {
    return error;
  }
}

function expectMissing(error: unknown, name: string, protocol: string): void {
  expect(error).toBeInstanceOf(MetricsWiringError);
  expect((error as { code?: unknown }).code).toBe('invalid-option');
  expect((error as Error).message).toBe(
    `createOtelPipeline: OTLP ${protocol} needs ${name}, which is not installed. Run: npm install ${name} (the version of your OpenTelemetry line).`,
  );
}

describe('a protocol whose exporter package is not installed', () => {
  for (const signal of ['metrics', 'traces'] as const) {
    for (const [protocol, flavour] of [
      ['grpc', 'grpc'],
      ['http/json', 'http'],
      ['http/protobuf', 'proto'],
    ] as const) {
      const name = `@opentelemetry/exporter-${signal === 'metrics' ? 'metrics' : 'trace'}-otlp-${flavour}`;
      it(`${signal} over ${protocol}: names ${name}`, async () => {
        missing.add(name);
        expectMissing(await rejection(signal, protocol), name, protocol);
        missing.clear();
        expect(await rejection(signal, protocol)).toBeUndefined(); // installed: no rejection
      });
    }
  }

  it('gRPC with the headers option and no @grpc/grpc-js: names it', async () => {
    missing.add('@grpc/grpc-js');
    for (const signal of ['metrics', 'traces'] as const) {
      const error = await rejection(signal, 'grpc', { 'x-tenant': 'a' });
      expectMissing(error, '@grpc/grpc-js', 'grpc');
    }
  });
});
