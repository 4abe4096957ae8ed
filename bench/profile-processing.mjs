// Not a bench (run.mjs runs *.bench.mjs only): the soak's processing workload for a profiler.
// 8 recorders × 4 metrics, plain `{ type }` events, a Prometheus text serialisation per second.
//
//   node --cpu-prof bench/profile-processing.mjs bridge 6     (core | empty | bridge, seconds)
//   node --trace-deopt bench/profile-processing.mjs bridge 3
//   node --heap-prof bench/profile-processing.mjs bridge 3
//
// `core`: no listener; `empty`: an empty onChange listener on every recorder (the hook's own
// cost); `bridge`: attachOtelBridge on the producer path (createMetricProducer, read by a
// PrometheusExporter with no server). Prints events per CPU second.
import * as core from '@mvx-metrics/core';
import { attachOtelBridge, createMetricProducer } from '@mvx-metrics/otel-bridge';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

const mode = process.argv[2] ?? 'bridge';
const seconds = Number(process.argv[3] ?? 5);
const OUTCOMES = ['success', 'failure', 'retry'];
const EVENTS = Array.from({ length: 4096 }, (_, n) => ({
  type: 'request',
  outcome: OUTCOMES[n % 3],
  seconds: (n % 997) / 1000,
  size: n % 4096,
}));
const runtime = new core.MetricsRuntime({ namespace: 'soak', maxPendingEvents: 65_536 });
runtime.start();
let exporter;
if (mode === 'bridge') {
  const producer = createMetricProducer();
  exporter = new PrometheusExporter({ preventServerStart: true, metricProducers: [producer] });
  new MeterProvider({ readers: [exporter] });
  attachOtelBridge(runtime, { metricProducer: producer, selfTelemetry: false });
} else if (mode === 'empty') {
  runtime.onRecorderAdded((recorder) => recorder.onChange(() => {}));
}
const metrics = () => [
  core.counter({
    name: 'requests',
    on: 'request',
    attributes: (e) => ({ outcome: e.outcome }),
    initial: OUTCOMES.map((outcome) => ({ outcome })),
  }),
  core.histogram({ name: 'latency', unit: 's', on: 'request', value: (e) => e.seconds }),
  core.upDownCounter({
    name: 'inflight',
    on: 'request',
    value: (e) => (e.outcome === 'retry' ? 1 : -1),
  }),
  core.gauge({ name: 'size', unit: 'By', on: 'request', value: (e) => e.size }),
];
const recorders = Array.from({ length: 8 }, (_, i) =>
  runtime.createRecorder(`conn-${i}`, { metrics }),
);
const serializer = new PrometheusSerializer();
const end = Date.now() + seconds * 1000;
let sent = 0;
let nextScrape = Date.now() + 1000;
const cpu = process.cpuUsage();
while (Date.now() < end) {
  for (let i = 0; i < 16_384; i++) {
    const n = sent++;
    recorders[n % 8].registerEvent(EVENTS[n & 4095]);
  }
  await Promise.all(recorders.map((r) => r.flush()));
  if (exporter !== undefined && Date.now() > nextScrape) {
    nextScrape += 1000;
    const { resourceMetrics } = await exporter.collect();
    serializer.serialize(resourceMetrics);
  }
}
const used = process.cpuUsage(cpu);
console.log(
  `${mode}: ${(sent / ((used.user + used.system) / 1e6) / 1e6).toFixed(2)} M events/CPU s`,
);
await runtime.shutdown();
