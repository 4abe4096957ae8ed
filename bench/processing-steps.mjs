// Not a bench: ns per processed event (CPU time) of the soak's workload built up step by step —
// metrics added one by one, then an empty onChange listener, then the bridge instead — every
// variant interleaved in one process. `node --expose-gc bench/processing-steps.mjs` after a build.
import * as core from '@mvx-metrics/core';
import { attachOtelBridge, createMetricProducer } from '@mvx-metrics/otel-bridge';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

const OUTCOMES = ['success', 'failure', 'retry'];
const EVENTS = Array.from({ length: 4096 }, (_, n) => ({
  type: 'request',
  outcome: OUTCOMES[n % 3],
  seconds: (n % 997) / 1000,
  size: n % 4096,
}));
const all = [
  () =>
    core.counter({
      name: 'requests',
      on: 'request',
      attributes: (e) => ({ outcome: e.outcome }),
      initial: OUTCOMES.map((outcome) => ({ outcome })),
    }),
  () => core.histogram({ name: 'latency', unit: 's', on: 'request', value: (e) => e.seconds }),
  () =>
    core.upDownCounter({
      name: 'inflight',
      on: 'request',
      value: (e) => (e.outcome === 'retry' ? 1 : -1),
    }),
  () => core.gauge({ name: 'size', unit: 'By', on: 'request', value: (e) => e.size }),
];
function setup(k, hook) {
  const runtime = new core.MetricsRuntime({
    namespace: 'soak',
    maxPendingEvents: 65536,
    unhandledEvents: 'ignore',
  });
  runtime.start();
  let exporter;
  if (hook === 'bridge') {
    const producer = createMetricProducer();
    exporter = new PrometheusExporter({ preventServerStart: true, metricProducers: [producer] });
    new MeterProvider({ readers: [exporter] });
    attachOtelBridge(runtime, { metricProducer: producer, selfTelemetry: false });
  }
  if (hook === 'empty') runtime.onRecorderAdded((r) => r.onChange(() => {}));
  const recorders = Array.from({ length: 8 }, (_, i) =>
    runtime.createRecorder(`conn-${i}`, { metrics: () => all.slice(0, k).map((f) => f()) }),
  );
  return { recorders, exporter };
}
const ser = new PrometheusSerializer();
async function sample(s) {
  const N = 16384 * 12;
  const c0 = process.cpuUsage();
  for (let done = 0; done < N; done += 16384) {
    for (let i = 0; i < 16384; i++) {
      const n = done + i;
      s.recorders[n % 8].registerEvent(EVENTS[n & 4095]);
    }
    await Promise.all(s.recorders.map((r) => r.flush()));
  }
  if (s.exporter) {
    const { resourceMetrics } = await s.exporter.collect();
    ser.serialize(resourceMetrics);
  }
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) * 1000) / N;
}
const variants = [
  ['register + drain, no metric', 0],
  ['+ counter (attributes)', 1],
  ['+ histogram', 2],
  ['+ up-down counter', 3],
  ['+ gauge (the soak’s 4 metrics, no listener)', 4],
  ['+ an empty onChange listener', 4, 'empty'],
  ['the bridge instead (producer path, 1 collection + text per sample)', 4, 'bridge'],
];
const setups = variants.map(([, k, h]) => setup(k, h));
const res = variants.map(() => []);
for (let i = 0; i < 11; i++)
  for (let j = 0; j < setups.length; j++) {
    gc();
    const v = await sample(setups[j]);
    if (i > 1) res[j].push(v);
  }
const med = (v) => v.sort((a, b) => a - b)[v.length >> 1];
let prev = 0;
for (let j = 0; j < variants.length; j++) {
  const m = med(res[j]);
  const base = j === 6 ? med(res[4]) : prev;
  console.log(
    `| ${variants[j][0]} | ${m.toFixed(0)} ns | ${j === 0 ? '' : `+${(m - base).toFixed(0)} ns`} |`,
  );
  if (j < 5) prev = m;
}
