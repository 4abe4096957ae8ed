import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { attributesOf, type OtlpReceiver, startOtlpReceiver } from '../../bridge/otlp-receiver.js';
import { expectSidesEqual, otlpSides } from '../../support/views-temporality.js';
import { type Consumer, createConsumer } from './consumer.js';
import { installCommands, versionsIn } from './install-lines.js';
import { nodeBinary } from './nodes.js';
import {
  diagFixture,
  exponentialFixture,
  exportedBesideSnapshots,
  nodeSdkScript,
  pipelineFixture,
  resultOf,
  spanLimitsFixture,
  viewsTemporalityFixture,
} from './otel-line.js';
import { installedCopies, installedVersion, lockfileCopies } from './tree.js';
import { typedAttributesTests } from './typed-attributes.js';

/** One OpenTelemetry JS line as a user installs it: sdk-node, and the API version it peers on. */
export interface OtelLine {
  readonly name: string;
  readonly node: 20 | 22 | 24;
  readonly sdkNode: string;
  readonly api: string;
}

/** What the pipeline entry needs besides sdk-metrics: taken at the versions sdk-node pins. */
const PINNED_BY_SDK_NODE = [
  '@opentelemetry/sdk-metrics',
  '@opentelemetry/sdk-trace',
  '@opentelemetry/context-async-hooks',
  '@opentelemetry/exporter-prometheus',
  '@opentelemetry/exporter-metrics-otlp-http',
  '@opentelemetry/exporter-trace-otlp-http',
  // http/protobuf, the OTLP protocol the pipeline picks by default (as the SDK does)
  '@opentelemetry/exporter-metrics-otlp-proto',
  '@opentelemetry/exporter-trace-otlp-proto',
];

/** The dependencies sdk-node@version declares (one registry metadata request, npm-cached). */
function sdkNodeDependencies(version: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const json = execFileSync(
    'npm',
    ['view', `@opentelemetry/sdk-node@${version}`, 'dependencies', '--json', '--prefer-offline'],
    { encoding: 'utf8', env },
  );
  return JSON.parse(json) as Record<string, string>;
}

/** The OpenTelemetry packages the bridge shares with the SDK, and core: one copy each, always. */
const SHARED = [
  '@opentelemetry/api',
  '@opentelemetry/sdk-metrics',
  '@opentelemetry/core',
  '@opentelemetry/resources',
  '@opentelemetry/sdk-trace',
  '@mvx-metrics/core',
];

const NPM_FLAGS = ['--no-audit', '--no-fund', '--loglevel=warn'];

/**
 * The consumer tests of one line: docs/wiring-the-bridge.md's install lines run as written (the
 * packed tarballs for `@mvx-metrics/*`), the tree they give and the one a fresh install from the
 * `package.json` they wrote gives, then sdk-node for the guide's NodeSDK snippet, and the pipeline.
 */
export function otelLineTests(line: OtelLine): void {
  let consumer: Consumer;
  let pinned: Record<string, string>;
  let commands: string[][];
  /** Output of every install: the guide's lines, the fresh install, sdk-node's. */
  const installOutputs: string[] = [];
  let afterLines: Record<string, string[]>;
  let afterFresh: Record<string, string[]>;
  // Spans of `spans: true` go nowhere: the snippet's SDK must not dial localhost:4318 from a test.
  const sdkEnv = { OTEL_TRACES_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' };
  const copies = () =>
    Object.fromEntries(SHARED.map((name) => [name, installedCopies(consumer.dir, name)]));
  const lockedCopies = () =>
    Object.fromEntries(SHARED.map((name) => [name, lockfileCopies(consumer.dir, name)]));

  beforeAll(async () => {
    const node = nodeBinary(line.node);
    const declared = sdkNodeDependencies(line.sdkNode, node.env);
    pinned = Object.fromEntries(
      PINNED_BY_SDK_NODE.map((name) => {
        const version = declared[name];
        if (version === undefined) throw new Error(`sdk-node ${line.sdkNode} does not pin ${name}`);
        return [name, version];
      }),
    );
    const tarballs = inject('tarballs');
    const local: Record<string, string> = {
      '@mvx-metrics/core': tarballs.core,
      '@mvx-metrics/otel-bridge': tarballs.bridge,
    };
    consumer = createConsumer(line.name, { node, packageJson: { type: 'module' } });
    const npm = async (args: string[]) => {
      const run = await consumer.run('npm', [...args, ...NPM_FLAGS]);
      installOutputs.push(`$ npm ${args.join(' ')}\n${run.stdout}${run.stderr}`);
      if (run.code !== 0) throw new Error(`npm ${args.join(' ')} failed:\n${run.stderr}`);
    };
    commands = installCommands(line.api);
    // npm's cache first for the guide's lines: they name exact versions.
    for (const command of commands)
      await npm([...command.map((a) => local[a] ?? a), '--prefer-offline']);
    afterLines = copies();
    // What CI, a fresh clone or a teammate gets: the package.json resolved again, with no lockfile
    // and no node_modules (set aside: npm would start from the tree it finds). npm resolves the
    // tree and writes it to the lockfile without unpacking it (--package-lock-only); the tree an
    // install lays down is that lockfile's. Then the guide's tree comes back, and installing
    // sdk-node brings it to the fresh lockfile plus sdk-node, as installing it there would.
    const modules = join(consumer.dir, 'node_modules');
    const linesModules = join(consumer.dir, 'node_modules.lines');
    renameSync(modules, linesModules);
    rmSync(join(consumer.dir, 'package-lock.json'), { force: true });
    await npm(['install', '--package-lock-only']);
    afterFresh = lockedCopies();
    renameSync(linesModules, modules);
    await npm(['install', '-E', `@opentelemetry/sdk-node@${line.sdkNode}`, '--prefer-offline']);
  }, 300_000);
  afterAll(() => consumer?.remove());

  it(`runs on Node ${line.node}`, () => {
    expect(consumer.node.version.split('.')[0]).toBe(String(line.node));
  });

  it("runs docs/wiring-the-bridge.md's install lines for this line, exact versions (-E)", () => {
    expect(commands.length).toBe(2);
    for (const command of commands) expect(command[1]).toBe('-E');
    expect(installOutputs.length).toBe(commands.length + 2);
  });

  it('installs without a single peer-dependency or ERESOLVE warning', () => {
    const peerLines = installOutputs
      .flatMap((output) => output.split('\n'))
      .filter((l) => /peer|ERESOLVE/i.test(l));
    expect(peerLines).toEqual([]);
  });

  it("the guide's lines give one copy of each shared package, and so does a fresh install from the package.json they wrote", () => {
    const one = Object.fromEntries(SHARED.map((name) => [name, [expect.any(String)]]));
    expect(afterLines).toEqual(one);
    expect(afterFresh).toEqual(one);
    expect(afterFresh).toEqual(afterLines);
    expect(afterLines['@opentelemetry/sdk-metrics']).toEqual([
      pinned['@opentelemetry/sdk-metrics'],
    ]);
  });

  it("docs/wiring-the-bridge.md's install lines for this line name the versions sdk-node pins", () => {
    const specs = versionsIn(commands);
    const installed = PINNED_BY_SDK_NODE.filter((name) => !name.includes('otlp-http'));
    for (const name of installed)
      expect({ name, version: specs[name] }).toEqual({ name, version: pinned[name] });
    expect(specs['@opentelemetry/api']).toBe(line.api);
  });

  it("the README's install lines for this line name the versions sdk-node pins", () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    // The README's install block holds one section per line, each under `# OpenTelemetry JS SDK …`.
    const block = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)]
      .flatMap((m) => (m[1] as string).split(/^# OpenTelemetry JS SDK/m))
      .find((text) => text.includes(`@opentelemetry/api@${line.api} `));
    expect(block, `an install section with @opentelemetry/api@${line.api}`).toBeDefined();
    const specs = Object.fromEntries(
      [...(block as string).matchAll(/(@[\w-]+\/[\w-]+)@(\d[\w.-]*)/g)].map((m) => [m[1], m[2]]),
    );
    const installed = PINNED_BY_SDK_NODE.filter((name) => !name.includes('otlp-http'));
    for (const name of installed)
      expect({ name, version: specs[name] }).toEqual({ name, version: pinned[name] });
  });

  it('passes `npm ls` (exit 0, nothing invalid or missing)', async () => {
    const ls = await consumer.run('npm', ['ls', '--all']);
    expect(ls.stderr).toBe('');
    expect(ls.code).toBe(0);
  });

  it('holds one copy of each OpenTelemetry package the bridge shares with the SDK, sdk-node added', () => {
    for (const name of SHARED) {
      expect({ name, copies: installedCopies(consumer.dir, name) }).toEqual({
        name,
        copies: [expect.any(String)],
      });
    }
    expect(installedVersion(consumer.dir, '@opentelemetry/sdk-metrics')).toBe(
      pinned['@opentelemetry/sdk-metrics'],
    );
  });

  it("exports exact values through docs/wiring-the-bridge.md's NodeSDK snippet", async () => {
    consumer.write('node-sdk.mjs', nodeSdkScript());
    const run = await consumer.run('node', ['node-sdk.mjs'], sdkEnv);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { snapshots, exported } = resultOf<{ snapshots: never[]; exported: never[] }>(run.stdout);
    expect(snapshots.length).toBe(2);
    const { expected, actual } = exportedBesideSnapshots(snapshots, exported, 'docs', 'storage');
    expect(expected.length).toBe(3); // two outcomes of the counter, one histogram point
    expect(actual).toEqual(expected);
  });

  it("OTEL_LOG_LEVEL: the pipeline prints the diag lines this line's NodeSDK prints, on the same streams", async () => {
    consumer.write('diag-logger.mjs', readFileSync(diagFixture, 'utf8'));
    const env = { ...sdkEnv, OTEL_METRICS_EXPORTER: 'none', OTEL_LOG_LEVEL: 'debug' };
    const lines = async (side: string) => {
      const run = await consumer.run('node', ['diag-logger.mjs', side, 'env'], env);
      expect(run.code, run.stderr).toBe(0);
      return (['stdout', 'stderr'] as const).flatMap((stream) =>
        run[stream]
          .split('\n')
          .filter((line) => /probe:|global for diag/.test(line))
          .map((line) => [stream, line.replace(/ v[\d.]+\.$/, '')]),
      );
    };
    const expected = await lines('node-sdk');
    expect(expected).toContainEqual(['stdout', 'probe:shut-down:debug']);
    expect(await lines('pipeline')).toEqual(expected);
  });

  it("OTEL_ATTRIBUTE_COUNT_LIMIT / _VALUE_LENGTH_LIMIT: the pipeline's spans are limited as this line's NodeSDK limits them", async () => {
    consumer.write('span-limits.mjs', readFileSync(spanLimitsFixture, 'utf8'));
    const receiver = await startOtlpReceiver();
    try {
      const env = {
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_LOGS_EXPORTER: 'none',
        OTEL_ATTRIBUTE_COUNT_LIMIT: '2',
        OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '10',
        OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT: '1',
      };
      const spans = async (side: string) => {
        receiver.bodies.clear();
        const run = await consumer.run('node', ['span-limits.mjs', side, receiver.url], env);
        expect(run.code, run.stderr).toBe(0);
        return limitedSpans((receiver.bodies.get('/v1/traces') ?? []) as Json[]);
      };
      const expected = await spans('node-sdk');
      expect(expected.map((s) => s.name)).toEqual(['e', 'request']);
      expect(expected[0]).toMatchObject({ droppedAttributesCount: 3 });
      expect(await spans('pipeline')).toEqual(expected);
    } finally {
      await receiver.close();
    }
  });

  it("records exponential histograms as this line's sdk-metrics does (scale, buckets, count, sum, min, max)", async () => {
    // Written into the project: its imports resolve to the consumer's packages (this line's
    // sdk-metrics, the packed core), not the repository's.
    consumer.write('exponential-reference.mjs', readFileSync(exponentialFixture, 'utf8'));
    const run = await consumer.run('node', ['exponential-reference.mjs']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const cases = resultOf<Array<Record<'histogram' | 'gauge', { core: unknown; sdk: unknown }>>>(
      run.stdout,
    );
    expect(cases).toHaveLength(20);
    for (const { histogram, gauge } of cases) {
      expect(histogram.core).toEqual(histogram.sdk);
      expect(gauge.core).toEqual(gauge.sdk);
    }
  });

  it("Views and OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: the mirrored series equal this line's sdk-metrics instruments, every OTLP export and every /metrics scrape", async () => {
    // Written into the project: its imports resolve to this line's sdk-metrics and exporters.
    consumer.write('views-temporality.mjs', readFileSync(viewsTemporalityFixture, 'utf8'));
    const expected: Record<string, Record<string, string>> = {
      delta: { hits: 'delta', latency: 'delta', inflight: 'cumulative' },
      lowmemory: { hits: 'delta', latency: 'delta', inflight: 'cumulative' },
    };
    for (const preference of ['delta', 'lowmemory']) {
      const receiver = await startOtlpReceiver();
      try {
        const env = {
          OTEL_TRACES_EXPORTER: 'none',
          OTEL_LOGS_EXPORTER: 'none',
          OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: preference,
        };
        const run = await consumer.run('node', ['views-temporality.mjs', receiver.url], env);
        expect(run.code, run.stderr).toBe(0);
        const { scrapes } = resultOf<{ scrapes: string[] }>(run.stdout);
        const bodies = (receiver.bodies.get('/v1/metrics') ?? []).slice(0, scrapes.length);
        const result = { stderr: run.stderr, scrapes, exports: bodies.map(otlpSides) };
        expectSidesEqual(result, 4);
        const first = result.exports[0]?.docs ?? [];
        expect(Object.fromEntries(first.map((s) => [s.name, s.temporality]))).toMatchObject(
          expected[preference] as object,
        );
      } finally {
        await receiver.close();
      }
    }
  });

  it('runs createOtelPipeline: /metrics serves the values and OTLP receives them', async () => {
    const receiver: OtlpReceiver = await startOtlpReceiver();
    try {
      // Written into the project, so its imports resolve in the consumer's tree (not the repository's).
      consumer.write('pipeline.mjs', readFileSync(pipelineFixture, 'utf8'));
      const run = await consumer.run('node', ['pipeline.mjs', receiver.url]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const { prometheus } = resultOf<{ prometheus: string }>(run.stdout);
      const sample = (outcome: string) =>
        prometheus
          .split('\n')
          .find(
            (l) => l.startsWith('docs_save_attempts_total{') && l.includes(`outcome="${outcome}"`),
          );
      expect(sample('success')?.split(' ').at(-1)).toBe('3');
      expect(sample('failure')?.split(' ').at(-1)).toBe('1');
      expect(otlpValues(receiver)).toEqual({ success: 3, failure: 1 });
    } finally {
      await receiver.close();
    }
  });

  typedAttributesTests(() => consumer);
}

interface OtlpJson {
  resourceMetrics: Array<{
    scopeMetrics: Array<{
      metrics: Array<{
        name: string;
        sum?: {
          dataPoints: Array<{ attributes: never; asInt?: number | string; asDouble?: number }>;
        };
      }>;
    }>;
  }>;
}

/** The last exported `docs.save.attempts` values by outcome (bodies decoded to the OTLP/JSON shape). */
function otlpValues(receiver: OtlpReceiver): Record<string, number> {
  const bodies = (receiver.bodies.get('/v1/metrics') ?? []) as OtlpJson[];
  const values: Record<string, number> = {};
  for (const body of bodies) {
    for (const rm of body.resourceMetrics) {
      for (const sm of rm.scopeMetrics) {
        for (const metric of sm.metrics.filter((m) => m.name === 'docs.save.attempts')) {
          for (const point of metric.sum?.dataPoints ?? []) {
            const outcome = String(attributesOf(point.attributes).outcome);
            values[outcome] = Number(point.asInt ?? point.asDouble);
          }
        }
      }
    }
  }
  return values;
}

// biome-ignore lint/suspicious/noExplicitAny: decoded OTLP trace payloads
type Json = any;

/** Each exported span's limited parts (attributes sorted, events, links, drop counts), by name. */
function limitedSpans(bodies: Json[]): Json[] {
  const sorted = (list: Json[] | undefined) =>
    [...(list ?? [])].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return bodies
    .flatMap((b) =>
      b.resourceSpans.flatMap((r: Json) => r.scopeSpans.flatMap((s: Json) => s.spans)),
    )
    .map((span: Json) => ({
      name: span.name,
      attributes: sorted(span.attributes),
      droppedAttributesCount: span.droppedAttributesCount ?? 0,
      events: (span.events ?? []).map((e: Json) => ({
        name: e.name,
        attributes: sorted(e.attributes),
        droppedAttributesCount: e.droppedAttributesCount ?? 0,
      })),
      links: (span.links ?? []).map((l: Json) => ({
        attributes: sorted(l.attributes),
        droppedAttributesCount: l.droppedAttributesCount ?? 0,
      })),
    }))
    .sort((a: Json, b: Json) => (a.name < b.name ? -1 : 1));
}
