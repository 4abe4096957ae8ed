import cluster, { type Worker } from 'node:cluster';
import { type MetricsError, MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { revive } from './cluster/event-codec.js';
import type { ExampleConfig } from './config.js';
import { httpServerMetrics } from './metrics/http-metrics.js';
import { storageMetrics } from './metrics/storage-metrics.js';
import { configRedactor } from './secrets.js';
import {
  describeOtlp,
  hostForUrl,
  probeUrls,
  RECORDERS,
  type RunningService,
  showOtelProblems,
  startPipeline,
  type WiringOptions,
} from './wiring.js';

/** Longest a worker may take to drain before it is SIGKILLed (by pid). */
const WORKER_DRAIN_MS = 5000;

/** The primary of `npm start -- --workers N`, as `main` sees it. */
export interface RunningCluster extends RunningService {
  /** One line about the workers, for the live view. */
  workers(): string;
  /** Workers that died and were forked again. */
  readonly restarts: number;
}

/**
 * The primary of the cluster: it owns the runtime, the recorders, the bridge and the one
 * `/metrics`; it forks `config.workers` workers that share the service port and send their events
 * here, and forks a worker again when one dies. Its `shutdown()` drains every worker, then the
 * recorders, then exports once more.
 */
export async function startClusterService(
  config: ExampleConfig,
  options: WiringOptions = {},
): Promise<RunningCluster> {
  const log = options.log ?? ((line: string) => console.warn(line));
  const onError = (error: MetricsError) => log(`[mvx-metrics] ${error.message}`);
  const pipeline = await startPipeline(
    config,
    showOtelProblems(log, configRedactor(process.env, config.otlpEndpoint)),
  );
  const runtime = new MetricsRuntime({ namespace: 'docs', onError });
  const bridge = attachOtelBridge(runtime, {
    meterProvider: pipeline.meterProvider,
    tracerProvider: pipeline.tracerProvider,
    onError,
  });
  runtime.createRecorder(RECORDERS.storage, { metrics: storageMetrics });
  runtime.createRecorder(RECORDERS.http, { metrics: httpServerMetrics });
  runtime.start();
  const primary = runtime.clusterPrimary({ revive });
  primary.attachCluster(cluster);

  let port = config.port;
  let stopping = false;
  let restarts = 0;
  const fork = (): Worker => cluster.fork({ SERVICE_PORT: String(port) });
  cluster.on('exit', (worker, code, signal) => {
    // A worker exits 0 after draining, asked by us or by a SIGINT / SIGTERM to the whole process
    // group (Ctrl-C, systemd); killed by one of those while still starting, it had nothing to
    // drain. Neither is a death to repair: the primary is stopping too.
    if (stopping || code === 0 || signal === 'SIGINT' || signal === 'SIGTERM') return;
    restarts++;
    log(`worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); forking a replacement`);
    fork();
  });
  const first = new Promise<number>((resolve, reject) => {
    cluster.once('listening', (_worker, address) => resolve(address.port));
    cluster.once('exit', (worker, code) =>
      reject(new Error(`worker ${worker.process.pid} exited (code ${code}) before listening`)),
    );
  });
  // The first worker binds (port 0 = any free port); the others share that port.
  fork();
  try {
    port = await first;
  } catch (error) {
    stopping = true;
    await runtime.shutdown();
    await pipeline.shutdown();
    bridge.detach();
    throw error;
  }
  for (let i = 1; i < config.workers; i++) fork();

  const alive = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
  let shutdown: Promise<void> | undefined;
  return {
    serviceUrl: `http://${hostForUrl(config.host)}:${port}`,
    metricsUrl: pipeline.prometheusUrl,
    probes: probeUrls(pipeline.prometheusUrl),
    otlp: describeOtlp(pipeline),
    recorders: () => runtime.recorders(),
    connectionsOpened: 0,
    get restarts() {
      return restarts;
    },
    workers() {
      const s = primary.stats();
      const pids = alive()
        .map((w) => w.process.pid)
        .join(' ');
      const lost = s.lost > 0 ? `, ${s.lost} events lost with dead workers` : '';
      return `${alive().length} of ${config.workers} (pids ${pids}), ${restarts} restarted${lost}`;
    },
    shutdown() {
      shutdown ??= (async () => {
        stopping = true;
        await Promise.all(alive().map(drainWorker));
        await runtime.shutdown(); // every event the workers sent is in; recorders drained
        await pipeline.shutdown(); // final collection and export
        bridge.detach();
      })();
      return shutdown;
    },
  };
}

/** SIGTERMs one worker (by pid) to make it drain and waits for it to exit; SIGKILLs it after WORKER_DRAIN_MS. */
function drainWorker(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    if (worker.isDead()) {
      resolve();
      return;
    }
    const timer = setTimeout(() => worker.process.kill('SIGKILL'), WORKER_DRAIN_MS);
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    worker.process.kill('SIGTERM');
  });
}
