// OpenTelemetry SDK lines side by side: `counter.add(1, {outcome})` under the repo's sdk-metrics
// (2.x) and under the one installed in $MVX_BENCH_SDK_METRICS (e.g. 3.x), next to registerEvent,
// samples interleaved in one process so a busy neighbour weighs on all three alike. Prepare with:
//   mkdir /tmp/sdk3 && cd /tmp/sdk3 && npm init -y && npm i @opentelemetry/sdk-metrics@3 @opentelemetry/api@1.10
//   MVX_BENCH_SDK_METRICS=/tmp/sdk3 node bench/run.mjs otel-lines     (SDK 3.x needs Node >= 22.15)

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { counter, MetricEvent, MetricsRuntime } from '@mvx-metrics/core';
import { compareSync, formatNs, formatRatio, machine, printTable, row } from './lib.mjs';

const otherDir = process.env.MVX_BENCH_SDK_METRICS;
if (otherDir === undefined) {
  console.log(
    'otel-lines: set MVX_BENCH_SDK_METRICS to a folder holding another sdk-metrics line.',
  );
  process.exit(0);
}

/** sdk-metrics as resolved from `from`, with its version (3.x exports no ./package.json). */
function loadSdkMetrics(from) {
  const require = createRequire(from);
  const entry = require.resolve('@opentelemetry/sdk-metrics');
  const name = '@opentelemetry/sdk-metrics';
  const dir = entry.slice(0, entry.lastIndexOf(name) + name.length);
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return { sdk: require('@opentelemetry/sdk-metrics'), version };
}

const lines = [
  loadSdkMetrics(import.meta.url),
  loadSdkMetrics(pathToFileURL(join(otherDir, 'x.js'))),
];
const OUTCOMES = ['success', 'failure'];
class DocumentSaveAttempt extends MetricEvent {
  constructor(outcome) {
    super();
    this.outcome = outcome;
  }
}

/** A counter on a provider with a reader that never collects, so `add` reaches real storage. */
function otelCounter({ sdk }) {
  class IdleReader extends sdk.MetricReader {
    async onForceFlush() {}
    async onShutdown() {}
  }
  const provider = new sdk.MeterProvider({ readers: [new IdleReader()] });
  return { provider, counter: provider.getMeter('bench').createCounter('document.save.attempts') };
}

console.log(await machine());
const runtime = new MetricsRuntime({ namespace: 'bench_lines', onError: () => {} });
runtime.start();
const recorder = runtime.createRecorder('hot', {
  metrics: () => [
    counter({
      name: 'document.save.attempts',
      on: DocumentSaveAttempt,
      attributes: (e) => ({ outcome: e.outcome }),
    }),
  ],
});
const otel = lines.map(otelCounter);
const addRun = (c) => (n) => {
  for (let i = 0; i < n; i++) c.add(1, { outcome: OUTCOMES[i & 1] });
};
const results = await compareSync(
  [
    {
      run: (n) => {
        for (let i = 0; i < n; i++)
          recorder.registerEvent(new DocumentSaveAttempt(OUTCOMES[i & 1]));
      },
      between: () => recorder.flush(),
    },
    ...otel.map(({ counter: c }) => ({ run: addRun(c) })),
  ],
  { ops: 4096, rounds: 64 },
);
const [reg, ...adds] = results.map((r) => r.nsPerOp);
await runtime.shutdown();
for (const { provider } of otel) await provider.shutdown();

printTable(
  'OTel counter.add(1, {outcome}) per SDK line, beside registerEvent (ns per call)',
  lines.map(({ version }, i) =>
    row(
      `counter.add, sdk-metrics ${version}`,
      formatNs(adds[i]),
      'registerEvent',
      formatNs(reg),
      formatRatio(adds[i] / reg),
      '',
      undefined,
    ),
  ),
);
