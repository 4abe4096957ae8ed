// Figures of the exponential histogram (issue 20), each beside its reference in this process:
// processing cost per observation against sdk-metrics' `histogram.record()` with exponential
// aggregation, retained heap per series against the same in sdk-metrics, and a protobuf scrape of
// 10 000 series against the text format of the same /metrics.
// Run with `npm run bench -- exponential` (or `node --expose-gc bench/run.mjs exponential` after a build).

import { exponentialHistogram, MetricsRecorder } from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { AggregationType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  compareSync,
  consume,
  formatBytes,
  formatMs,
  formatNs,
  formatRatio,
  gc,
  machine,
  median,
  printTable,
  row,
} from './lib.mjs';

class Reader extends MetricReader {
  onForceFlush() {
    return Promise.resolve();
  }
  onShutdown() {
    return Promise.resolve();
  }
}

const VIEW = {
  instrumentName: 'latency',
  aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: 160 } },
};

// Latencies over four decades, precomputed: both sides record the same values in the same order.
const VALUES = Array.from(
  { length: 4096 },
  (_, i) => 10 ** (-4 + (4 * ((i * 2654435761) % 4096)) / 4096),
);
const ROUTES = ['/a', '/b', '/c', '/d'];
const EVENTS = VALUES.map((seconds, i) => ({ type: 'served', route: ROUTES[i & 3], seconds }));
const ATTRIBUTES = ROUTES.map((route) => ({ route }));

function coreRecorder() {
  const recorder = new MetricsRecorder('bench', {
    scheduler: 'sync',
    metrics: [
      exponentialHistogram({
        name: 'latency',
        unit: 's',
        on: 'served',
        value: (e) => e.seconds,
        attributes: (e) => ({ route: e.route }),
      }),
    ],
  });
  recorder.start();
  return recorder;
}

function sdkHistogram() {
  const provider = new MeterProvider({ readers: [new Reader()], views: [VIEW] });
  return provider.getMeter('bench').createHistogram('latency', { unit: 's' });
}

async function processing() {
  const recorder = coreRecorder();
  const sdk = sdkHistogram();
  let i = 0;
  let j = 0;
  const [core, reference] = await compareSync(
    [
      {
        run: (n) => {
          for (let k = 0; k < n; k++) recorder.registerEvent(EVENTS[i++ & 4095]);
        },
      },
      {
        run: (n) => {
          for (let k = 0; k < n; k++) {
            const at = j++ & 4095;
            sdk.record(VALUES[at], ATTRIBUTES[at & 3]);
          }
        },
      },
    ],
    { ops: 200_000, samples: 7, warmup: 2 },
  );
  const ratio = core.nsPerOp / reference.nsPerOp;
  return row(
    'registerEvent → exponential histogram (sync processing), per observation',
    formatNs(core.nsPerOp),
    'sdk-metrics histogram.record(), exponential aggregation',
    formatNs(reference.nsPerOp),
    formatRatio(ratio),
    '≤ 0.5×',
    ratio <= 0.5,
  );
}

function heapDelta(fill) {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = fill();
  gc();
  const after = process.memoryUsage().heapUsed;
  consume(kept);
  return after - before;
}

async function heapPerSeries() {
  const SERIES = 2000;
  const PER_SERIES = 64;
  const coreBytes = [];
  const sdkBytes = [];
  for (let s = 0; s < 5; s++) {
    coreBytes.push(
      heapDelta(() => {
        const metric = exponentialHistogram({
          name: 'h',
          on: 'served',
          value: (e) => e.seconds,
          attributes: (e) => ({ route: e.route }),
          cardinalityLimit: SERIES + 1,
        });
        const r = new MetricsRecorder('heap', { scheduler: 'sync', metrics: [metric] });
        r.start();
        for (let k = 0; k < SERIES; k++) {
          const route = `r${k}`;
          for (let v = 0; v < PER_SERIES; v++) {
            r.registerEvent({ type: 'served', route, seconds: VALUES[(k * 31 + v) & 4095] });
          }
        }
        return r;
      }) / SERIES,
    );
    sdkBytes.push(
      heapDelta(() => {
        const provider = new MeterProvider({
          readers: [new Reader()],
          views: [{ ...VIEW, instrumentName: 'h' }],
        });
        const h = provider.getMeter('heap').createHistogram('h');
        for (let k = 0; k < SERIES; k++) {
          const attributes = { route: `r${k}` };
          for (let v = 0; v < PER_SERIES; v++) h.record(VALUES[(k * 31 + v) & 4095], attributes);
        }
        return [provider, h];
      }) / SERIES,
    );
  }
  const core = median(coreBytes);
  const sdk = median(sdkBytes);
  return row(
    `retained heap per series (${SERIES} series × ${PER_SERIES} observations)`,
    formatBytes(core),
    'the same in sdk-metrics (exponential aggregation)',
    formatBytes(sdk),
    formatRatio(core / sdk),
    '≤ 1.0×',
    core / sdk <= 1,
  );
}

async function scrape() {
  const SERIES = 10_000;
  const pipeline = await createOtelPipeline({
    serviceName: 'bench',
    prometheus: { host: '127.0.0.1', port: 0 },
    otlp: false,
    registerGlobals: false,
  });
  const recorder = new MetricsRecorder('scrape', {
    scheduler: 'sync',
    metrics: [
      exponentialHistogram({
        name: 'latency',
        unit: 's',
        on: 'served',
        value: (e) => e.seconds,
        attributes: (e) => ({ route: e.route }),
        cardinalityLimit: SERIES + 1,
      }),
    ],
  });
  recorder.start();
  const bridge = attachOtelBridge(recorder, { meterProvider: pipeline.meterProvider });
  try {
    for (let k = 0; k < SERIES; k++) {
      for (let v = 0; v < 8; v++) {
        recorder.registerEvent({
          type: 'served',
          route: `r${k}`,
          seconds: VALUES[(k * 7 + v) & 4095],
        });
      }
    }
    const url = pipeline.prometheusUrl;
    const protobuf =
      'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited';
    const timed = async (accept) => {
      const times = [];
      let bytes = 0;
      for (let s = 0; s < 7; s++) {
        const start = performance.now();
        const response = await fetch(url, accept === undefined ? {} : { headers: { accept } });
        bytes = (await response.arrayBuffer()).byteLength;
        if (s >= 2) times.push(performance.now() - start);
      }
      return { ms: median(times), bytes };
    };
    // Interleaved: text, protobuf, text, protobuf...
    const text = await timed(undefined);
    const pb = await timed(protobuf);
    const text2 = await timed(undefined);
    const pb2 = await timed(protobuf);
    const textMs = median([text.ms, text2.ms]);
    const pbMs = median([pb.ms, pb2.ms]);
    return [
      row(
        `GET /metrics, ${SERIES} exponential-histogram series, protobuf (native, all buckets)`,
        `${formatMs(pbMs)}, ${formatBytes(pb.bytes)}`,
        'the text format of the same (count, sum, +Inf bucket only)',
        `${formatMs(textMs)}, ${formatBytes(text.bytes)}`,
        formatRatio(pbMs / textMs),
        '(context)',
        undefined,
      ),
    ];
  } finally {
    bridge.detach();
    await pipeline.shutdown();
  }
}

console.log(`Machine: ${await machine()}\n`);
printTable('Exponential histogram', [
  await processing(),
  await heapPerSeries(),
  ...(await scrape()),
]);
