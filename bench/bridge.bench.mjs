// Figures of @mvx-metrics/otel-bridge (issue 3), each measured beside its reference in this process.
// Run with `npm run bench` (or `node bench/run.mjs bridge` after a build; see bench/README.md).
// `node --expose-gc bench/bridge.bench.mjs ad` runs only sections (a) and (d).
//
// (a) end to end: register → processed → mirrored → visible to a collection, with the bridge
//     attached (MetricProducer path), vs the same recorder whose processing loop calls OTel
//     `counter.add` with cached attributes per event. Timed: registration, processing and the
//     final collection; nothing is moved out of the timed region.
// (b) a Prometheus scrape of 10 000 series: the exporter's own request handler serialising a
//     collection, series mirrored by the bridge vs the same series recorded directly through OTel.
//     Also: the same 10 000 series (counters, each with an exemplar) served as OpenMetrics with
//     exemplars vs the text format, both fetched over HTTP from the pipeline's /metrics.
// (c) moved to bench/capture.bench.mjs (each capturer in a process of its own).
// (d) one changed point in a 2 000-point metric, then a collection (MetricProducer) and a
//     Prometheus scrape, vs the same 2 000 series recorded through OTel.
//     `node --expose-gc bench/bridge.bench.mjs d <another checkout, built>` runs the same rows
//     against that checkout's core and bridge too, interleaved in this process (how the issue-9
//     before/after figure was taken).
// (v) one collection of 10 000 changed series through the producer: a delta reader, Views, both,
//     vs a cumulative reader without Views (the per-collection cost of issue 21's layer).
// (e) bridge end to end with spans: true, every event in a sampled request span: exemplars on
//     (trace_based) vs off (always_off).

import { performance } from 'node:perf_hooks';
import { counter, MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge, createMetricProducer } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { context, trace } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import {
  AggregationTemporality,
  createDenyListAttributesProcessor,
  MeterProvider,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { formatMs, formatRate, formatRatio, gc, machine, median, printTable, row } from './lib.mjs';

// ---------------------------------------------------------------------------------------------
// Interleaved timing (A, B, A, B, ...) so a busy neighbour slows every variant alike

/** Runs jobs interleaved; a job resolves with a number or an object of numbers; medians per job (per field). */
async function interleave(jobs, { samples, warmup }) {
  const results = jobs.map(() => []);
  for (let s = 0; s < warmup + samples; s++) {
    for (let j = 0; j < jobs.length; j++) {
      gc();
      const value = await jobs[j]();
      if (s >= warmup) results[j].push(value);
    }
  }
  return results.map((values) =>
    typeof values[0] === 'number'
      ? median(values)
      : Object.fromEntries(Object.keys(values[0]).map((k) => [k, median(values.map((v) => v[k]))])),
  );
}

/** Rows as arrays `[figure, value, reference, refValue, ratio, target, pass]`. */
const table = (title, rows) =>
  printTable(
    title,
    rows.map((r) => row(...r)),
  );

class BenchReader extends MetricReader {
  onForceFlush() {
    return Promise.resolve();
  }
  onShutdown() {
    return Promise.resolve();
  }
}

// `node --expose-gc bench/bridge.bench.mjs ad` runs only sections (a) and (d); default: all.
const SECTIONS = process.argv[2] ?? 'abdev';

console.log(`${await machine()}\n`);

// ---------------------------------------------------------------------------------------------
// (a) end to end

const OUTCOMES = ['success', 'failure', 'timeout', 'conflict'];
class SaveAttempt {
  constructor(outcome) {
    this.outcome = outcome;
  }
}

/** The workload's recorder: one counter of save attempts by outcome. */
function saveAttemptsRecorder(runtime) {
  return runtime.createRecorder('storage', {
    metrics: () => [
      counter({
        name: 'document.save.attempts',
        on: SaveAttempt,
        attributes: (e) => ({ outcome: e.outcome }),
      }),
    ],
  });
}
const EVENTS = Array.from(
  { length: 4096 },
  (_, i) => new SaveAttempt(OUTCOMES[i % OUTCOMES.length]),
);
const E2E_EVENTS = 400_000;
const CHUNK = 32_768; // below the buffer bound: nothing is dropped

/** Registers `total` events in chunks, letting the runtime process each chunk (all timed). */
async function drive(recorder, total) {
  for (let done = 0; done < total; done += CHUNK) {
    const n = Math.min(CHUNK, total - done);
    for (let i = 0; i < n; i++) recorder.registerEvent(EVENTS[(done + i) & 4095]);
    await recorder.flush();
  }
}

/**
 * A runtime with the bridge attached through a MetricProducer read by a reader; `bridge`: more
 * attach options; `views`: the producer's Views; `delta`: the reader reads delta (forReader).
 */
function bridgeSetup(bridge = {}, { views, delta = false } = {}) {
  const runtime = new MetricsRuntime({ namespace: 'bench' });
  runtime.start();
  const producer = createMetricProducer(views === undefined ? {} : { views });
  const source = delta ? producer.forReader(() => AggregationTemporality.DELTA) : producer;
  const reader = new BenchReader({ metricProducers: [source] });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const recorder = saveAttemptsRecorder(runtime);
  attachOtelBridge(runtime, { metricProducer: producer, ...bridge });
  return { recorder, reader, meterProvider, runtime };
}

/** Context: the same recorder with no bridge (what the bridge's hook adds is the difference). */
function coreOnlySetup() {
  const runtime = new MetricsRuntime({ namespace: 'bench' });
  runtime.start();
  const recorder = saveAttemptsRecorder(runtime);
  const snapshotReader = {
    collect: async () => ({
      resourceMetrics: {
        scopeMetrics: [
          {
            metrics: recorder.getMetricSnapshots().map((s) => ({
              descriptor: { name: `bench.${s.name}` },
              dataPoints: s.points,
            })),
          },
        ],
      },
    }),
  };
  return { recorder, reader: snapshotReader, meterProvider: { shutdown: async () => {} }, runtime };
}

/** The reference: the same recorder, but its processing loop calls OTel `counter.add` per event. */
function otelInLoopSetup() {
  const runtime = new MetricsRuntime({ namespace: 'bench' });
  runtime.start();
  const reader = new BenchReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const otelCounter = meterProvider.getMeter('bench').createCounter('bench.document.save.attempts');
  const cached = Object.fromEntries(OUTCOMES.map((o) => [o, { outcome: o, recorder: 'storage' }]));
  const recorder = runtime.createRecorder('storage', {
    metrics: () => [
      {
        name: 'document.save.attempts',
        handleEvent(event) {
          if (!(event instanceof SaveAttempt)) return false;
          otelCounter.add(1, cached[event.outcome]);
          return true;
        },
        snapshot: () => ({ name: 'document.save.attempts', kind: 'counter', points: [] }),
      },
    ],
  });
  return { recorder, reader, meterProvider, runtime };
}

function totalOf(collection) {
  let total = 0;
  for (const scope of collection.resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== 'bench.document.save.attempts') continue;
      for (const point of metric.dataPoints) total += point.value;
    }
  }
  return total;
}

async function endToEnd(setup) {
  const { recorder, reader, meterProvider, runtime } = setup();
  const before = totalOf(await reader.collect());
  const cpu = process.cpuUsage();
  const start = performance.now();
  await drive(recorder, E2E_EVENTS);
  const collected = await reader.collect();
  const elapsed = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const seen = totalOf(collected) - before;
  if (seen !== E2E_EVENTS || recorder.stats().dropped !== 0) {
    throw new Error(`end-to-end bench lost events: collected ${seen} of ${E2E_EVENTS}`);
  }
  await meterProvider.shutdown();
  await runtime.shutdown();
  // CPU time (user + system) is what a neighbour process stealing the CPU does not change.
  return {
    wall: (E2E_EVENTS * 1000) / elapsed,
    cpu: (E2E_EVENTS * 1e6) / (used.user + used.system),
  };
}

/** Views of the end-to-end variants: the counter described, its recorder attribute dropped, limited. */
const E2E_VIEWS = [
  {
    instrumentName: 'bench.document.save.attempts',
    description: 'save attempts by outcome',
    attributesProcessors: [createDenyListAttributesProcessor(['recorder'])],
    aggregationCardinalityLimit: 100,
  },
];

if (SECTIONS.includes('a')) {
  const [bridged, inLoop, coreOnly, delta, viewed, both] = await interleave(
    [
      () => endToEnd(bridgeSetup),
      () => endToEnd(otelInLoopSetup),
      () => endToEnd(coreOnlySetup),
      () => endToEnd(() => bridgeSetup({}, { delta: true })),
      () => endToEnd(() => bridgeSetup({}, { views: E2E_VIEWS })),
      () => endToEnd(() => bridgeSetup({}, { views: E2E_VIEWS, delta: true })),
    ],
    { samples: 9, warmup: 2 },
  );
  table('Bridge end to end with a delta reader and Views (issue 21), events per CPU-second', [
    [
      'delta reader (forReader), bridge attached',
      formatRate(delta.cpu),
      'same, cumulative reader (first row below)',
      formatRate(bridged.cpu),
      formatRatio(delta.cpu / bridged.cpu),
      '≥ 0.90×',
      delta.cpu / bridged.cpu >= 0.9,
    ],
    [
      'a View (description, attribute dropped, cardinality limit)',
      formatRate(viewed.cpu),
      'same, no View',
      formatRate(bridged.cpu),
      formatRatio(viewed.cpu / bridged.cpu),
      '≥ 0.90×',
      viewed.cpu / bridged.cpu >= 0.9,
    ],
    [
      'the View and a delta reader',
      formatRate(both.cpu),
      'same, neither',
      formatRate(bridged.cpu),
      formatRatio(both.cpu / bridged.cpu),
      '≥ 0.90×',
      both.cpu / bridged.cpu >= 0.9,
    ],
  ]);
  table('Bridge end to end (register → processed → mirrored → collected), events per CPU-second', [
    [
      `${E2E_EVENTS / 1000}k events, bridge attached (MetricProducer)`,
      formatRate(bridged.cpu),
      'same recorder, OTel counter.add per event in the loop',
      formatRate(inLoop.cpu),
      formatRatio(bridged.cpu / inLoop.cpu),
      '≥ 3×',
      bridged.cpu / inLoop.cpu >= 3,
    ],
    [
      'same, wall clock',
      formatRate(bridged.wall),
      'same reference, wall clock',
      formatRate(inLoop.wall),
      formatRatio(bridged.wall / inLoop.wall),
      '',
      undefined,
    ],
    [
      'core alone, no bridge (snapshots read at the end)',
      formatRate(coreOnly.cpu),
      'same reference',
      formatRate(inLoop.cpu),
      formatRatio(coreOnly.cpu / inLoop.cpu),
      'ceiling for the first row',
      undefined,
    ],
  ]);
}

// ---------------------------------------------------------------------------------------------
// (v) one collection of 10 000 changed series, with a delta reader and Views

const V_METRICS = 10;
const V_KEYS = 1000;
const V_VIEWS = [
  {
    instrumentName: 'bench.series.*',
    description: 'described by a View',
    attributesProcessors: [createDenyListAttributesProcessor(['recorder'])],
    aggregationCardinalityLimit: 2000,
  },
];
const V_EVENTS = Array.from({ length: V_KEYS }, (_, i) => ({ type: 'v', key: `key-${i}` }));

/** 10 counters × 1 000 attribute sets, read through `producer` (options) by one reader. */
function collectionSetup(options) {
  const runtime = new MetricsRuntime({ namespace: 'bench', scheduler: 'sync' });
  runtime.start();
  const producer = createMetricProducer(
    options.views === undefined ? {} : { views: options.views },
  );
  const source = options.delta ? producer.forReader(() => AggregationTemporality.DELTA) : producer;
  const reader = new BenchReader({ metricProducers: [source] });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const recorder = runtime.createRecorder('storage', {
    metrics: () =>
      Array.from({ length: V_METRICS }, (_, m) =>
        counter({ name: `series.${m}`, on: 'v', attributes: (e) => ({ key: e.key }) }),
      ),
  });
  attachOtelBridge(runtime, { metricProducer: producer, selfTelemetry: false });
  return { recorder, reader, meterProvider, runtime };
}

async function oneCollection(options) {
  const { recorder, reader, meterProvider, runtime } = collectionSetup(options);
  for (const event of V_EVENTS) recorder.registerEvent(event);
  await reader.collect(); // the reader's first collection (delta: its state)
  for (const event of V_EVENTS) recorder.registerEvent(event); // every series changes
  gc();
  const start = performance.now();
  const { resourceMetrics } = await reader.collect();
  const elapsed = performance.now() - start;
  const points = resourceMetrics.scopeMetrics
    .flatMap((s) => s.metrics)
    .reduce((n, m) => n + m.dataPoints.length, 0);
  if (points !== V_METRICS * V_KEYS) throw new Error(`collection bench: ${points} points`);
  await meterProvider.shutdown();
  await runtime.shutdown();
  return elapsed;
}

if (SECTIONS.includes('v')) {
  const [plain, delta, viewed, both] = await interleave(
    [
      () => oneCollection({}),
      () => oneCollection({ delta: true }),
      () => oneCollection({ views: V_VIEWS }),
      () => oneCollection({ views: V_VIEWS, delta: true }),
    ],
    { samples: 15, warmup: 3 },
  );
  const rows = [
    ['delta reader', delta],
    ['a View (description, attribute dropped, limit)', viewed],
    ['the View and a delta reader', both],
  ];
  table(
    'One collection of 10 000 changed series (10 counters × 1 000 attribute sets), median ms',
    rows.map(([name, ms]) => [
      name,
      formatMs(ms),
      'cumulative reader, no View',
      formatMs(plain),
      formatRatio(ms / plain),
      '',
      undefined,
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// (b) Prometheus scrape of 10 000 series

const METRICS = 10;
const KEYS = 1000; // 10 metrics × 1 000 attribute sets = 10 000 series (under OTel's 2 000 limit per instrument)
const keys = Array.from({ length: KEYS }, (_, i) => `key-${i}`);

/** Serialises one scrape through the exporter's own request handler; resolves with the body length. */
function scrape(exporter) {
  return new Promise((resolve) => {
    const response = {
      statusCode: 0,
      setHeader() {},
      end(body) {
        resolve(body.length);
      },
    };
    exporter.getMetricsRequestHandler({}, response);
  });
}

function mirroredScrapeSetup() {
  const runtime = new MetricsRuntime({ namespace: 'bench', scheduler: 'sync' });
  runtime.start();
  const producer = createMetricProducer();
  const exporter = new PrometheusExporter({
    preventServerStart: true,
    metricProducers: [producer],
  });
  const meterProvider = new MeterProvider({ readers: [exporter] });
  const recorder = runtime.createRecorder('storage', {
    metrics: () =>
      Array.from({ length: METRICS }, (_, m) =>
        counter({ name: `series.m${m}`, on: `tick.${m}`, attributes: (e) => ({ key: e.key }) }),
      ),
  });
  attachOtelBridge(runtime, { metricProducer: producer, selfTelemetry: false });
  for (let m = 0; m < METRICS; m++) {
    for (const key of keys) recorder.registerEvent({ type: `tick.${m}`, key });
  }
  return {
    exporter,
    touchOne: () => recorder.registerEvent({ type: 'tick.0', key: keys[0] }),
    touchAll: () => {
      for (let m = 0; m < METRICS; m++) recorder.registerEvent({ type: `tick.${m}`, key: keys[0] });
    },
    meterProvider,
  };
}

function directScrapeSetup() {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ readers: [exporter] });
  const meter = meterProvider.getMeter('bench');
  const counters = Array.from({ length: METRICS }, (_, m) =>
    meter.createCounter(`bench.series.m${m}`),
  );
  const attrs = keys.map((key) => ({ key, recorder: 'storage' }));
  for (const c of counters) for (const a of attrs) c.add(1, a);
  return { exporter, meterProvider };
}

if (SECTIONS.includes('b')) {
  const mirrored = mirroredScrapeSetup();
  const direct = directScrapeSetup();
  // Both exporters must serve the same 10 000 series before anything is timed.
  const mirroredBody = await new Promise((resolve) =>
    mirrored.exporter.getMetricsRequestHandler({}, { setHeader() {}, end: resolve }),
  );
  const count = (body) => body.split('\n').filter((l) => l.startsWith('bench_series_')).length;
  const directBody = await new Promise((resolve) =>
    direct.exporter.getMetricsRequestHandler({}, { setHeader() {}, end: resolve }),
  );
  if (count(mirroredBody) !== METRICS * KEYS || count(directBody) !== METRICS * KEYS) {
    throw new Error(
      `scrape bench: expected ${METRICS * KEYS} series, got ${count(mirroredBody)} / ${count(directBody)}`,
    );
  }
  const SCRAPES = 5;
  const timeScrapes = async (setup, touch) => {
    let total = 0;
    for (let i = 0; i < SCRAPES; i++) {
      touch?.();
      const start = performance.now();
      await scrape(setup.exporter);
      total += performance.now() - start;
    }
    return total / SCRAPES;
  };
  const [mirroredMs, directMs, oneChangedMs, allChangedMs] = await interleave(
    [
      () => timeScrapes(mirrored),
      () => timeScrapes(direct),
      () => timeScrapes(mirrored, mirrored.touchOne),
      () => timeScrapes(mirrored, mirrored.touchAll),
    ],
    { samples: 9, warmup: 2 },
  );
  table('Prometheus scrape of 10 000 series (exporter request handler: collect + serialise)', [
    [
      '10 000 mirrored series, none changed since the last scrape',
      formatMs(mirroredMs),
      'same exporter, 10 000 series recorded through OTel',
      formatMs(directMs),
      formatRatio(mirroredMs / directMs),
      '≤ 1.3×',
      mirroredMs / directMs <= 1.3,
    ],
    [
      'same, 1 metric (1 000 series) changed before each scrape',
      formatMs(oneChangedMs),
      'same reference',
      formatMs(directMs),
      formatRatio(oneChangedMs / directMs),
      '',
      undefined,
    ],
    [
      'same, all 10 metrics changed (10 000 series re-read)',
      formatMs(allChangedMs),
      'same reference',
      formatMs(directMs),
      formatRatio(allChangedMs / directMs),
      '',
      undefined,
    ],
  ]);
  await mirrored.meterProvider.shutdown();
  await direct.meterProvider.shutdown();

  // The same 10 000 series from the pipeline's /metrics, every one with an exemplar (each was
  // registered inside a sampled span): OpenMetrics (what Prometheus asks for) vs the text format.
  const pipeline = await createOtelPipeline({
    serviceName: 'bench',
    prometheus: { host: '127.0.0.1', port: 0 },
    otlp: false,
  });
  const runtime = new MetricsRuntime({ namespace: 'bench', scheduler: 'sync' });
  runtime.start();
  attachOtelBridge(runtime, { meterProvider: pipeline.meterProvider, selfTelemetry: false });
  const recorder = runtime.createRecorder('storage', {
    metrics: () =>
      Array.from({ length: METRICS }, (_, m) =>
        counter({ name: `series.m${m}`, on: `tick.${m}`, attributes: (e) => ({ key: e.key }) }),
      ),
  });
  const request = pipeline.tracerProvider.getTracer('bench').startSpan('request');
  context.with(trace.setSpan(context.active(), request), () => {
    for (let m = 0; m < METRICS; m++) {
      for (const key of keys) recorder.registerEvent({ type: `tick.${m}`, key });
    }
  });
  request.end();
  const OPENMETRICS =
    'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
  const fetchBody = async (accept) => {
    const response = await fetch(pipeline.prometheusUrl, accept ? { headers: { accept } } : {});
    return response.text();
  };
  const omBody = await fetchBody(OPENMETRICS);
  const exemplarLines = omBody.split('\n').filter((l) => l.includes(' # {trace_id=')).length;
  if (exemplarLines !== METRICS * KEYS) {
    throw new Error(`scrape bench: expected ${METRICS * KEYS} exemplars, got ${exemplarLines}`);
  }
  const timeFetch = (accept) => async () => {
    let total = 0;
    for (let i = 0; i < SCRAPES; i++) {
      const start = performance.now();
      await fetchBody(accept);
      total += performance.now() - start;
    }
    return total / SCRAPES;
  };
  const [omMs, textMs] = await interleave([timeFetch(OPENMETRICS), timeFetch(undefined)], {
    samples: 9,
    warmup: 2,
  });
  table('/metrics over HTTP, 10 000 series each with an exemplar', [
    [
      'OpenMetrics with exemplars (Accept of Prometheus 2.42)',
      formatMs(omMs),
      'text format, same series',
      formatMs(textMs),
      formatRatio(omMs / textMs),
      'report',
      undefined,
    ],
  ]);
  await runtime.shutdown();
  await pipeline.shutdown();
}

// ---------------------------------------------------------------------------------------------
// (d) one changed point in a 2 000-point metric, then a collection

const POINTS = 2000;
const pointKeys = Array.from({ length: POINTS }, (_, i) => `p-${i}`);

/** A bridge over one 2 000-point counter, built from `modules` (this build, or another checkout's). */
function onePointSetup({ core, bridge }) {
  const runtime = new core.MetricsRuntime({ namespace: 'bench', scheduler: 'sync' });
  runtime.start();
  const producer = bridge.createMetricProducer();
  const reader = new BenchReader({ metricProducers: [producer] });
  const exporter = new PrometheusExporter({
    preventServerStart: true,
    metricProducers: [producer],
  });
  new MeterProvider({ readers: [reader, exporter] });
  const recorder = runtime.createRecorder('storage', {
    metrics: () => [
      core.counter({
        name: 'points',
        on: 'tick',
        attributes: (e) => ({ key: e.key }),
        initial: pointKeys.map((key) => ({ key })),
        cardinalityLimit: POINTS + 1,
      }),
    ],
  });
  bridge.attachOtelBridge(runtime, { metricProducer: producer, selfTelemetry: false });
  let next = 0;
  return {
    reader,
    exporter,
    touch: () => recorder.registerEvent({ type: 'tick', key: pointKeys[next++ % POINTS] }),
  };
}

/** The reference: the same 2 000 series recorded through an OTel counter. */
function onePointDirectSetup() {
  const reader = new BenchReader();
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ readers: [reader, exporter] });
  const otelCounter = meterProvider.getMeter('bench').createCounter('bench.points');
  const attrs = pointKeys.map((key) => ({ key, recorder: 'storage' }));
  for (const a of attrs) otelCounter.add(0, a);
  let next = 0;
  return { reader, exporter, touch: () => otelCounter.add(1, attrs[next++ % POINTS]) };
}

/** Mean ms of `collect` after one changed point, over `rounds` (the change itself untimed). */
async function timeAfterOneChange(setup, collect, rounds = 40) {
  let total = 0;
  for (let i = 0; i < rounds; i++) {
    setup.touch();
    const start = performance.now();
    await collect(setup);
    total += performance.now() - start;
  }
  return total / rounds;
}

const pointsOf = async (setup) => {
  const { resourceMetrics } = await setup.reader.collect();
  const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics)[0];
  return metric?.dataPoints.length ?? 0;
};

if (SECTIONS.includes('d')) {
  const here = {
    core: await import('@mvx-metrics/core'),
    bridge: await import('@mvx-metrics/otel-bridge'),
  };
  const beforeRoot = process.argv[3];
  const before =
    beforeRoot === undefined
      ? undefined
      : {
          core: await import(`${beforeRoot}/packages/core/dist/index.js`),
          bridge: await import(`${beforeRoot}/packages/otel-bridge/dist/index.js`),
        };
  const setups = [onePointSetup(here), onePointDirectSetup()];
  if (before !== undefined) setups.push(onePointSetup(before));
  for (const setup of setups) {
    const n = await pointsOf(setup);
    if (n !== POINTS) throw new Error(`one-point bench: expected ${POINTS} points, got ${n}`);
  }
  const collect = (setup) => setup.reader.collect();
  const scrapeOf = (setup) => scrape(setup.exporter);
  const jobs = setups.flatMap((setup) => [
    () => timeAfterOneChange(setup, collect),
    () => timeAfterOneChange(setup, scrapeOf, 20),
  ]);
  const [collected, scraped, directCollected, directScraped, beforeCollected, beforeScraped] =
    await interleave(jobs, { samples: 9, warmup: 2 });
  const rows = [
    [
      'one changed point of 2 000, then a collection (MetricProducer)',
      formatMs(collected),
      'same 2 000 series through an OTel counter, collected',
      formatMs(directCollected),
      formatRatio(collected / directCollected),
      'report',
      undefined,
    ],
    [
      'same, then a Prometheus scrape (collect + serialise)',
      formatMs(scraped),
      'same reference, scraped',
      formatMs(directScraped),
      formatRatio(scraped / directScraped),
      'report',
      undefined,
    ],
  ];
  if (before !== undefined) {
    rows.push(
      [
        'collection after one change, this build',
        formatMs(collected),
        `same, ${beforeRoot}`,
        formatMs(beforeCollected),
        formatRatio(collected / beforeCollected),
        'report',
        undefined,
      ],
      [
        'scrape after one change, this build',
        formatMs(scraped),
        `same, ${beforeRoot}`,
        formatMs(beforeScraped),
        formatRatio(scraped / beforeScraped),
        'report',
        undefined,
      ],
    );
  }
  table('One changed point in a 2 000-point metric, then a collection', rows);
}

// ---------------------------------------------------------------------------------------------
// (v) one collection of 10 000 changed series through the producer: a delta reader, Views, both,
//     vs a cumulative reader without Views (the per-collection cost of issue 21's layer).
// (e) bridge end to end with spans: true, exemplars on vs off

if (SECTIONS.includes('e')) {
  const SPAN_EVENTS = 49_152; // 48 rounds of 1 024
  const tracerProvider = new TracerProvider();
  const pipeline = await createOtelPipeline({
    serviceName: 'bench',
    prometheus: false,
    otlp: false,
  });
  const spansSetup = (exemplarFilter) => () =>
    bridgeSetup({ tracerProvider, spans: true, exemplarFilter });
  const tracer = tracerProvider.getTracer('bench');
  const run = (setup) => async () => {
    const { recorder, reader, meterProvider, runtime } = setup();
    const cpu = process.cpuUsage();
    for (let done = 0; done < SPAN_EVENTS; done += 1024) {
      // one request span per 4 events, as a service registers a few events per request
      for (let r = 0; r < 256; r++) {
        const span = tracer.startSpan('request');
        context.with(trace.setSpan(context.active(), span), () => {
          for (let i = 0; i < 4; i++) recorder.registerEvent(EVENTS[(r * 4 + i) & 4095]);
        });
        span.end();
      }
      await recorder.flush();
    }
    const collected = await reader.collect();
    const used = process.cpuUsage(cpu);
    if (totalOf(collected) !== SPAN_EVENTS) throw new Error('spans bench lost events');
    await meterProvider.shutdown();
    await runtime.shutdown();
    return (SPAN_EVENTS * 1e6) / (used.user + used.system);
  };
  const [on, off] = await interleave(
    [run(spansSetup('trace_based')), run(spansSetup('always_off'))],
    {
      samples: 7,
      warmup: 2,
    },
  );
  table(
    'Bridge end to end with spans: true, every event inside a sampled request span (events per CPU-second)',
    [
      [
        'exemplars on (trace_based)',
        formatRate(on),
        'exemplars off (always_off)',
        formatRate(off),
        formatRatio(on / off),
        'report',
        undefined,
      ],
    ],
  );
  await pipeline.shutdown();
}
