import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const recorder = fileURLToPath(new URL('./fixtures/record-loads.mjs', import.meta.url));

/** The `@opentelemetry/*` (and `@grpc/*`) packages Node loads for `import(specifier)` of the built package. */
function openTelemetryPackagesLoadedBy(
  specifier: string,
  script = '',
  env: Record<string, string> = {},
): string[] {
  const output = execFileSync(
    process.execPath,
    [
      '--import',
      recorder,
      '--input-type=module',
      '-e',
      `const entry = await import(${JSON.stringify(specifier)});\n${script}\n${PRINT_CJS}`,
    ],
    { cwd: root, encoding: 'utf8', env: { ...withoutOtelVariables(), ...env } },
  );
  const line = output.split('\n').find((l) => l.startsWith('@@LOADED@@'));
  if (line === undefined) throw new Error(`no module list in output:\n${output}`);
  const cjs = output.split('\n').find((l) => l.startsWith('@@CJS@@')) ?? '@@CJS@@[]';
  // ESM hooks see imports; CommonJS requires inside packages are in require.cache.
  const urls = [
    ...(JSON.parse(line.slice('@@LOADED@@'.length)) as string[]),
    ...(JSON.parse(cjs.slice('@@CJS@@'.length)) as string[]),
  ];
  const packages = new Set<string>();
  for (const url of urls) {
    const match = /node_modules\/(@opentelemetry\/[^/]+|@grpc\/[^/]+)\//.exec(url);
    if (match !== null) packages.add(match[1] as string);
  }
  return [...packages].sort();
}

function withoutOtelVariables(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => !entry[0].startsWith('OTEL_') && entry[1] !== undefined,
    ),
  );
}

const PRINT_CJS = `const { createRequire } = await import('node:module');
console.log('@@CJS@@' + JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));`;

// Builds a pipeline that pushes OTLP to a port nobody listens on (no export happens before shutdown).
const PIPELINE = `const p = await entry.createOtelPipeline({ serviceName: 's', prometheus: false, onError() {} });
await p.shutdown();`;
const OTLP = {
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
  OTEL_EXPORTER_OTLP_TIMEOUT: '50',
};

describe('entry points load only what they need', () => {
  it('importing @mvx-metrics/otel-bridge loads no exporter and no trace SDK', () => {
    const loaded = openTelemetryPackagesLoadedBy('@mvx-metrics/otel-bridge');
    expect(loaded).toContain('@opentelemetry/api');
    expect(loaded.filter((p) => p.startsWith('@opentelemetry/exporter-'))).toEqual([]);
    expect(loaded).not.toContain('@opentelemetry/sdk-trace-base');
    expect(loaded).not.toContain('@opentelemetry/sdk-trace');
  });

  it('importing the pipeline entry loads no exporter until a pipeline chooses one', () => {
    const loaded = openTelemetryPackagesLoadedBy('@mvx-metrics/otel-bridge/pipeline');
    expect(loaded).toContain('@opentelemetry/sdk-metrics');
    expect(loaded.filter((p) => p.startsWith('@opentelemetry/exporter-'))).toEqual([]);
  });

  it('the default protocol (http/protobuf) loads the protobuf exporters only: never gRPC, never JSON', () => {
    const loaded = openTelemetryPackagesLoadedBy(
      '@mvx-metrics/otel-bridge/pipeline',
      PIPELINE,
      OTLP,
    );
    expect(loaded).toContain('@opentelemetry/exporter-metrics-otlp-proto');
    expect(loaded).toContain('@opentelemetry/exporter-trace-otlp-proto');
    expect(loaded).not.toContain('@opentelemetry/exporter-trace-otlp-http');
    expect(loaded).not.toContain('@opentelemetry/exporter-prometheus');
    expect(loaded.filter((p) => p.includes('grpc'))).toEqual([]);
  });

  it('grpc loads the gRPC exporters, and the default Prometheus reader its exporter', () => {
    const grpc = openTelemetryPackagesLoadedBy('@mvx-metrics/otel-bridge/pipeline', PIPELINE, {
      ...OTLP,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    });
    expect(grpc).toContain('@opentelemetry/exporter-metrics-otlp-grpc');
    expect(grpc).toContain('@opentelemetry/exporter-trace-otlp-grpc');
    expect(grpc).toContain('@opentelemetry/otlp-grpc-exporter-base'); // it loads @grpc/grpc-js on first export
    const prometheus = openTelemetryPackagesLoadedBy(
      '@mvx-metrics/otel-bridge/pipeline',
      `const p = await entry.createOtelPipeline({ serviceName: 's', prometheus: { host: '127.0.0.1', port: 0 } });
await p.shutdown();`,
    );
    expect(prometheus).toContain('@opentelemetry/exporter-prometheus');
    expect(prometheus.filter((p) => p.includes('otlp'))).toEqual([]);
  });
});
