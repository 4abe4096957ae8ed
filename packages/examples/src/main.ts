#!/usr/bin/env node
// `npm start`: the document service, a load generator and the live view, until Ctrl-C.
import cluster from 'node:cluster';
import { runClusterWorker } from './cluster/cluster-worker.js';
import { type RunningCluster, startClusterService } from './cluster-wiring.js';
import { ConfigError, type ExampleConfig, parseConfig, USAGE } from './config.js';
import { LoadGenerator, type LoadTotals } from './load/load-generator.js';
import { LiveView } from './view/live-view.js';
import { pointerLines } from './view/pointers.js';
import type { ViewInfo } from './view/render.js';
import { ViewSampler } from './view/view-model.js';
import { RECORDERS, type RunningService, startDocumentService } from './wiring.js';

/** Longest a shutdown may take before the process gives up waiting. */
const SHUTDOWN_LIMIT_MS = 8000;
/** How long after a finished shutdown the process may still be alive before it is ended. */
const STRAY_HANDLE_MS = 2000;

function fail(message: string, code = 1): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

function summary(totals: LoadTotals | undefined, service: RunningService): string[] {
  const lines = [
    `Connections opened: ${service.connectionsOpened}, each with its own recorder, removed when it closed.`,
  ];
  if (totals !== undefined) {
    const { saves, reads, deletes } = totals;
    lines.push(
      `Load generator sent ${totals.sent} requests: saves ${saves.success} success / ${saves.invalid} invalid / ${saves.failure} failure, ` +
        `reads ${reads.found} found / ${reads.missing} missing, deletes ${deletes.deleted} done / ${deletes.missing} missing, ${totals.errors} errors.`,
    );
  }
  return lines;
}

async function main(): Promise<void> {
  // If whoever reads our output goes away (a closed terminal, a dead parent), keep draining.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  let config: ExampleConfig;
  try {
    config = parseConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, 2);
    throw error;
  }
  if (config.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (cluster.isWorker) {
    await runClusterWorker(config);
    return;
  }

  // The live view redraws a terminal; anything else (a pipe, a log file, --no-ui) gets plain lines.
  const interactive = config.ui && process.stdout.isTTY === true;
  const problems: string[] = [];
  const log = interactive
    ? (line: string) => {
        problems.push(line);
        if (problems.length > 20) problems.shift();
      }
    : (line: string) => process.stderr.write(`${line}\n`);

  let service: RunningService;
  let clustered: RunningCluster | undefined;
  try {
    if (config.workers > 0) {
      clustered = await startClusterService(config, { log });
      service = clustered;
    } else {
      service = await startDocumentService(config, { log });
    }
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }

  const load =
    config.loadRate > 0
      ? new LoadGenerator({
          target: service.serviceUrl,
          rate: config.loadRate,
          requestsPerConnection: config.connectionRequests,
        })
      : undefined;
  load?.start();

  const info: ViewInfo = {
    title: `MVX Metrics · ${config.serviceName}`,
    instanceId: config.instanceId,
    pointers: pointerLines(service),
  };
  const view = new LiveView({
    sampler: new ViewSampler(service.recorders, RECORDERS),
    info,
    load: () => load?.totals(),
    connectionsOpened: () => service.connectionsOpened,
    ...(clustered === undefined ? {} : { workers: () => clustered.workers() }),
    problems: () => problems,
    interactive,
  });
  view.start();

  let stoppingSince: number | undefined;
  const stop = async (signal: string) => {
    if (stoppingSince !== undefined) {
      // The same Ctrl-C can arrive twice (from the terminal and forwarded by npm): only a
      // deliberate second one, a moment later, skips the drain.
      if (performance.now() - stoppingSince < 1000) return;
      process.stderr.write(`\n${signal} again: exiting without draining.\n`);
      process.exit(130);
    }
    stoppingSince = performance.now();
    const limit = setTimeout(() => {
      process.stderr.write(`error: shutdown took longer than ${SHUTDOWN_LIMIT_MS} ms; exiting.\n`);
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS);
    limit.unref();
    view.status(`${signal}: stopping the load, finishing requests, draining, exporting…`);
    const totals = await load?.stop();
    await service.shutdown();
    view.stop(`${signal}: recorders drained, final export done.`);
    const workers =
      clustered === undefined
        ? []
        : [`Workers: drained and exited; ${clustered.restarts} died and were forked again.`];
    // Cluster mode has no per-connection scopes: the summary's first line is not about it.
    const lines = summary(totals, service).slice(clustered === undefined ? 0 : 1);
    for (const line of [...problems, ...lines, ...workers]) {
      process.stdout.write(`${line}\n`);
    }
    clearTimeout(limit);
    process.exitCode = 0;
    // Everything is closed, so the process ends by itself; should a stray handle keep it
    // alive, this (unref'd) timer still ends it, with the status already set, and says so.
    setTimeout(() => {
      process.stderr.write(
        `warning: something kept the process alive ${STRAY_HANDLE_MS} ms after shutdown; exiting.\n`,
      );
      process.exit();
    }, STRAY_HANDLE_MS).unref();
  };
  const stopOn = (reason: string) => {
    stop(reason).catch((error: unknown) => {
      process.stderr.write(`error: shutdown failed: ${String(error)}\n`);
      process.exit(1);
    });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stopOn(signal));
  // Printed once the handlers are in: whoever waits for "serving on" (a test, a script) may
  // signal at once and never meets Node's default handler (it raced under a loaded full run).
  if (!interactive) {
    process.stdout.write(
      `${info.title} (instance ${config.instanceId}) serving on ${service.serviceUrl}\n`,
    );
    for (const [label, text] of info.pointers)
      process.stdout.write(`  ${label.padEnd(11)}${text}\n`);
  }
  // `npm start` runs us under `sh -c`; a SIGTERM sent to npm stops npm and that shell but never
  // reaches us. Losing the parent is the same request: drain and exit.
  const parent = process.ppid;
  const watchParent = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(watchParent);
      stopOn('parent exited');
    }
  }, 500);
  watchParent.unref();
}

await main();
