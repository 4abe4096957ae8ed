// OTLP export of one bridge state (2 000 series: 1 000 counter points + 1 000 histogram points),
// http/json against http/protobuf (the SDK default), with and without gzip; each export is
// OpenTelemetry's own exporter package sending to a collector in another process on 127.0.0.1
// (so this process's CPU time is the export alone: serialisation, compression, HTTP client).
// Then the interval the pipeline keeps with OTEL_METRIC_EXPORT_INTERVAL=200.
//
// `node --expose-gc bench/otlp.bench.mjs` after a build (or `node bench/run.mjs otlp`).

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { counter, histogram, MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge, createMetricProducer } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { OTLPMetricExporter as JsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtobufExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
// The encoders the two exporters use (a dependency of theirs), timed apart from the HTTP client.
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { formatMs, formatRatio, gc, machine, median, percentile, printTable, row } from './lib.mjs';

const SERIES_PER_METRIC = 1_000;
const SAMPLES = 15;
const WARMUP = 3;

// A collector in a child process: answers every export, remembers bytes and arrival times.
const COLLECTOR = `
const http = require('node:http');
const seen = [];
const server = http.createServer((req, res) => {
  if (req.url === '/stats') { res.end(JSON.stringify(seen)); seen.length = 0; return; }
  let bytes = 0;
  req.on('data', (c) => { bytes += c.length; });
  req.on('end', () => {
    seen.push({ path: req.url, bytes, at: performance.timeOrigin + performance.now(), type: req.headers['content-type'] });
    const json = String(req.headers['content-type']).includes('json');
    res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
    res.end(json ? '{}' : '');
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

async function startCollector() {
  const child = spawn(process.execPath, ['-e', COLLECTOR], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = await once(child.stdout, 'data');
  process.on('exit', () => child.kill()); // also when this bench crashes
  const url = `http://127.0.0.1:${Number(String(chunk).trim())}`;
  return {
    url,
    stats: async () => (await fetch(`${url}/stats`)).json(),
    stop: () => child.kill(),
  };
}

class BenchReader extends MetricReader {
  onForceFlush() {
    return Promise.resolve();
  }
  onShutdown() {
    return Promise.resolve();
  }
}

/** A runtime whose bridge mirror holds 2 000 series; returns the producer that reads it. */
async function bridgeState() {
  const runtime = new MetricsRuntime({ namespace: 'bench' });
  runtime.start();
  const metricProducer = createMetricProducer();
  attachOtelBridge(runtime, { metricProducer, selfTelemetry: false });
  const recorder = runtime.createRecorder('document_storage', {
    metrics: () => [
      counter({
        name: 'requests',
        on: 'request',
        attributes: (e) => ({ route: e.route }),
        cardinalityLimit: 5_000,
      }),
      histogram({
        name: 'latency',
        unit: 's',
        on: 'request',
        attributes: (e) => ({ route: e.route }),
        value: (e) => e.seconds,
        cardinalityLimit: 5_000,
      }),
    ],
  });
  for (let i = 0; i < SERIES_PER_METRIC * 5; i++) {
    recorder.registerEvent({
      type: 'request',
      route: `/route/${i % SERIES_PER_METRIC}`,
      seconds: (i % 97) / 100,
    });
  }
  await recorder.flush();
  return { runtime, metricProducer };
}

function exportOnce(exporter, resourceMetrics) {
  return new Promise((resolve, reject) =>
    exporter.export(resourceMetrics, (result) =>
      result.code === 0 ? resolve() : reject(result.error),
    ),
  );
}

console.log(`${await machine()}\n`);
const collector = await startCollector();
const { runtime, metricProducer } = await bridgeState();
const reader = new BenchReader({ metricProducers: [metricProducer] });
const meterProvider = new MeterProvider({ readers: [reader] });
const { resourceMetrics } = await reader.collect();
const series = resourceMetrics.scopeMetrics
  .flatMap((s) => s.metrics)
  .reduce((n, m) => n + m.dataPoints.length, 0);

const url = `${collector.url}/v1/metrics`;
const variants = [
  { name: 'http/json', exporter: new JsonExporter({ url }) },
  { name: 'http/protobuf', exporter: new ProtobufExporter({ url }) },
  { name: 'http/json + gzip', exporter: new JsonExporter({ url, compression: 'gzip' }) },
  { name: 'http/protobuf + gzip', exporter: new ProtobufExporter({ url, compression: 'gzip' }) },
];
const cpu = variants.map(() => []);
const wall = variants.map(() => []);
const bytes = variants.map(() => []);
for (let s = 0; s < WARMUP + SAMPLES; s++) {
  for (let v = 0; v < variants.length; v++) {
    gc();
    const startCpu = process.cpuUsage();
    const start = performance.now();
    await exportOnce(variants[v].exporter, resourceMetrics);
    const used = process.cpuUsage(startCpu);
    const elapsed = performance.now() - start;
    const [seen] = await collector.stats();
    if (s < WARMUP) continue;
    cpu[v].push((used.user + used.system) / 1000);
    wall[v].push(elapsed);
    bytes[v].push(seen.bytes);
  }
}
for (const { exporter } of variants) await exporter.shutdown();

// Encoding alone: the serializers the two exporters call, on the same collection.
const encode = [JsonMetricsSerializer, ProtobufMetricsSerializer].map(() => []);
for (let s = 0; s < WARMUP + SAMPLES; s++) {
  for (const [i, serializer] of [JsonMetricsSerializer, ProtobufMetricsSerializer].entries()) {
    gc();
    const startCpu = process.cpuUsage();
    serializer.serializeRequest(resourceMetrics);
    const used = process.cpuUsage(startCpu);
    if (s >= WARMUP) encode[i].push((used.user + used.system) / 1000);
  }
}

const figure = (v) => ({ cpu: median(cpu[v]), wall: median(wall[v]), bytes: median(bytes[v]) });
const [json, proto, jsonGzip, protoGzip] = variants.map((_, v) => figure(v));
const kB = (b) => `${(b / 1000).toFixed(1)} kB`;
// Ratios are protobuf / json: below 1× protobuf is smaller or cheaper.
const pair = (label, p, j, format, kind) =>
  row(label, format(p), 'http/json', format(j), formatRatio(p / j), kind, undefined);
printTable(
  `One OTLP metrics export of ${series} series, http/protobuf vs http/json (median of ${SAMPLES}, interleaved; ratio = protobuf / json)`,
  [
    pair('bytes per export', proto.bytes, json.bytes, kB, '(report)'),
    pair('export CPU time (encode + HTTP client)', proto.cpu, json.cpu, formatMs, '(report)'),
    pair(
      'encoding CPU time alone (the serializer)',
      median(encode[1]),
      median(encode[0]),
      formatMs,
      '(context)',
    ),
    pair('export wall time', proto.wall, json.wall, formatMs, '(context)'),
    pair('bytes per export, gzip', protoGzip.bytes, jsonGzip.bytes, kB, '(context)'),
    pair('export CPU time, gzip', protoGzip.cpu, jsonGzip.cpu, formatMs, '(context)'),
  ],
);

// The interval the pipeline keeps with OTEL_METRIC_EXPORT_INTERVAL=200 (same state, default protocol).
process.env.OTEL_METRIC_EXPORT_INTERVAL = '200';
process.env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT = url;
const pipeline = await createOtelPipeline({
  serviceName: 'bench',
  prometheus: false,
  registerGlobals: false,
});
const runtime2 = new MetricsRuntime({ namespace: 'bench' });
runtime2.start();
attachOtelBridge(runtime2, { meterProvider: pipeline.meterProvider, selfTelemetry: false });
runtime2
  .createRecorder('r', { metrics: () => [counter({ name: 'ticks', on: 'tick' })] })
  .registerEvent({ type: 'tick' });
await collector.stats(); // forget earlier requests
await new Promise((resolve) => setTimeout(resolve, 4_200));
const arrivals = (await collector.stats()).map((s) => s.at);
await pipeline.shutdown();
const gaps = arrivals.slice(1).map((at, i) => at - arrivals[i]);
printTable('OTEL_METRIC_EXPORT_INTERVAL=200: gaps between exports arriving at the collector', [
  row(
    `median gap (${gaps.length} gaps in 4.2 s)`,
    formatMs(median(gaps)),
    'the variable',
    '200 ms',
    formatRatio(median(gaps) / 200),
    '(report)',
    undefined,
  ),
  row(
    'p10 / p90 gap',
    `${formatMs(percentile(gaps, 10))} / ${formatMs(percentile(gaps, 90))}`,
    '',
    '',
    '',
    '(context)',
    undefined,
  ),
]);

await runtime.shutdown();
await runtime2.shutdown();
await meterProvider.shutdown();
collector.stop();
