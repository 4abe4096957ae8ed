import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const fixtures = fileURLToPath(new URL('../fixtures/otel/', import.meta.url));

/** docs/wiring-the-bridge.md's NodeSDK snippet, verbatim, between a prelude (exporter, runtime) and an epilogue. */
export function nodeSdkScript(): string {
  const guide = readFileSync(`${root}/docs/wiring-the-bridge.md`, 'utf8');
  const section = guide.split('## OpenTelemetry NodeSDK users')[1];
  const snippet = section === undefined ? undefined : /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (snippet === undefined) throw new Error('docs/wiring-the-bridge.md has no NodeSDK snippet');
  const prelude = readFileSync(`${fixtures}node-sdk-prelude.mjs`, 'utf8');
  const epilogue = readFileSync(`${fixtures}node-sdk-epilogue.mjs`, 'utf8');
  return `${prelude}\n${snippet}\n${epilogue}`;
}

/** The JSON a fixture printed after its `@@RESULT@@` marker. */
export function resultOf<T>(stdout: string): T {
  const line = stdout.split('\n').find((l) => l.startsWith('@@RESULT@@'));
  if (line === undefined) throw new Error(`no result in output:\n${stdout}`);
  return JSON.parse(line.slice('@@RESULT@@'.length)) as T;
}

export const pipelineFixture = `${fixtures}pipeline.mjs`;

/** test/bridge's span-limits fixture (NodeSDK or the pipeline, traces over OTLP). */
export const spanLimitsFixture = fileURLToPath(
  new URL('../../bridge/fixtures/span-limits.mjs', import.meta.url),
);

/** test/bridge's OTEL_LOG_LEVEL fixture (NodeSDK or the pipeline, probes on `diag`). */
export const diagFixture = fileURLToPath(
  new URL('../../bridge/fixtures/diag-logger.mjs', import.meta.url),
);

/** One pipeline with Views: mirrored series beside this line's sdk-metrics instruments (issue 21). */
export const viewsTemporalityFixture = `${fixtures}views-temporality.mjs`;

/** Core's exponential histogram beside this line's sdk-metrics, for the same values. */
export const exponentialFixture = `${fixtures}exponential-reference.mjs`;

type Attributes = Record<string, unknown>;
interface SnapshotPoint {
  attributes: Attributes;
  value?: number;
  count?: number;
  sum?: number;
  boundaries?: number[];
  bucketCounts?: number[];
}
interface Snapshot {
  name: string;
  points: SnapshotPoint[];
}
interface ExportedPoint {
  attributes: Attributes;
  value:
    | number
    | { count: number; sum: number; buckets: { boundaries: number[]; counts: number[] } };
}
interface ResourceMetrics {
  scopeMetrics: Array<{
    metrics: Array<{ descriptor: { name: string }; dataPoints: ExportedPoint[] }>;
  }>;
}

/**
 * Each snapshot point next to the point sdk-metrics exported for it (`namespace.name`, the recorder
 * attribute added), in the shape of the snapshot, so a test compares them with one `toEqual`.
 */
export function exportedBesideSnapshots(
  snapshots: Snapshot[],
  exported: ResourceMetrics[],
  namespace: string,
  recorder: string,
): { expected: unknown[]; actual: unknown[] } {
  const last = exported.at(-1);
  if (last === undefined) throw new Error('nothing was exported');
  const metrics = last.scopeMetrics.flatMap((s) => s.metrics);
  const expected: unknown[] = [];
  const actual: unknown[] = [];
  for (const snapshot of snapshots) {
    const metric = metrics.find((m) => m.descriptor.name === `${namespace}.${snapshot.name}`);
    for (const point of snapshot.points) {
      const attributes = { ...point.attributes, recorder };
      const match = metric?.dataPoints.find(
        (p) => JSON.stringify(sorted(p.attributes)) === JSON.stringify(sorted(attributes)),
      );
      const value = match?.value;
      if (point.bucketCounts === undefined) {
        expected.push({ name: snapshot.name, attributes, value: point.value });
        actual.push({ name: snapshot.name, attributes, value });
      } else {
        const h = typeof value === 'object' ? value : undefined;
        expected.push({
          name: snapshot.name,
          attributes,
          count: point.count,
          sum: point.sum,
          boundaries: point.boundaries,
          bucketCounts: point.bucketCounts,
        });
        actual.push({
          name: snapshot.name,
          attributes,
          count: h?.count,
          sum: h?.sum,
          boundaries: h?.buckets.boundaries,
          bucketCounts: h?.buckets.counts,
        });
      }
    }
  }
  return { expected, actual };
}

function sorted(attributes: Attributes): Attributes {
  return Object.fromEntries(Object.entries(attributes).sort(([a], [b]) => a.localeCompare(b)));
}
