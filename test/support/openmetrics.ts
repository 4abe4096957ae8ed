import { spawnSync } from 'node:child_process';
import {
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
  Worker,
} from 'node:worker_threads';
import { afterAll } from 'vitest';

/** One sample as Python's `prometheus_client` OpenMetrics parser read it. */
export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  exemplar: { labels: Record<string, string>; value: number; timestamp: number } | null;
}

/** One metric family as the parser read it. */
export interface ParsedFamily {
  name: string;
  type: string;
  unit: string;
  samples: ParsedSample[];
}

// Parses OpenMetrics bodies for as long as its stdin is open: each request is a line with the
// body's length in bytes, then the body (UTF-8); each answer is one JSON line, the families or the
// parser's error. A body reaches the parser as sys.stdin.read() would give it (the same decoding,
// and, as on POSIX, lines split at "\n" only: a CR inside a label value stays a CR, which
// OpenMetrics allows), so one long-lived Python reads exactly what a Python per body read.
const SCRIPT = `
import sys, io, json, math
from prometheus_client.openmetrics.parser import text_string_to_metric_families
def num(v):
    return v if math.isfinite(v) else str(v)
def families(text):
    out = []
    for f in text_string_to_metric_families(text):
        samples = []
        for s in f.samples:
            e = s.exemplar
            samples.append({"name": s.name, "labels": s.labels, "value": num(s.value), "exemplar": None if e is None else {"labels": e.labels, "value": num(e.value), "timestamp": float(e.timestamp)}})
        out.append({"name": f.name, "type": f.type, "unit": f.unit, "samples": samples})
    return out
requests = sys.stdin.buffer
while True:
    header = requests.readline()
    if not header:
        break
    data = requests.read(int(header))
    try:
        text = io.TextIOWrapper(io.BytesIO(data), encoding=sys.stdin.encoding, errors=sys.stdin.errors, newline="\\n").read()
        answer = {"families": families(text)}
    except Exception as error:
        answer = {"error": repr(error)}
    sys.stdout.write(json.dumps(answer) + "\\n")
    sys.stdout.flush()
`;

/** How long one body may take to parse (as the Python per body was allowed before). */
const PARSE_LIMIT_MS = 20_000;

interface ParserServer {
  worker: Worker;
  port: MessagePort;
  flag: Int32Array;
  pid: number | undefined;
}

const servers = new Map<string, ParserServer>();

function stop(python: string, server: ParserServer): void {
  servers.delete(python);
  if (server.pid !== undefined) {
    try {
      process.kill(server.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  void server.worker.terminate();
  server.port.close();
}

/** Ends each Python the way it ends by itself (stdin closed), and waits until it has exited. */
async function stopAll(): Promise<void> {
  await Promise.all(
    [...servers].map(async ([python, server]) => {
      servers.delete(python);
      server.worker.ref();
      const exited = new Promise<void>((resolve) => server.worker.once('exit', () => resolve()));
      server.port.postMessage({ stop: true });
      const limit = setTimeout(() => stop(python, server), 5_000);
      await exited;
      clearTimeout(limit);
      server.port.close();
    }),
  );
}

// After the test file that imported this module: its Pythons end, and are waited for, before its
// process does (a process that exits first leaves them to init: CI's CPU figures would miss them).
afterAll(stopAll);
// A process that ends another way (a failed file, a timeout) still ends them.
process.on('exit', () => {
  for (const [python, server] of servers) stop(python, server);
});

function serverFor(python: string): ParserServer {
  const running = servers.get(python);
  if (running !== undefined) return running;
  const signal = new SharedArrayBuffer(4);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL('./openmetrics-worker.mjs', import.meta.url), {
    workerData: { python, script: SCRIPT, signal, port: port2 },
    transferList: [port2],
  });
  // Neither the worker nor its Python keeps a test file's process alive; 'exit' above ends them.
  worker.unref();
  port1.unref();
  const server: ParserServer = {
    worker,
    port: port1,
    flag: new Int32Array(signal),
    pid: undefined,
  };
  servers.set(python, server);
  return server;
}

/**
 * A Python that has `prometheus_client` (Debian's python3-prometheus-client lives in the system
 * Python), or undefined with a warning (the tests then skip); under CI=true a missing one throws.
 */
export function findOpenMetricsParser(): string | undefined {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(python, ['-c', 'import prometheus_client.openmetrics.parser'], {
      encoding: 'utf8',
    });
    if (probe.status === 0) return python;
  }
  if (process.env.CI === 'true') {
    throw new Error(
      "Python's prometheus_client is required under CI=true: apt-get install python3-prometheus-client",
    );
  }
  console.warn(
    "Python's prometheus_client not found: skipping the OpenMetrics parser tests (apt-get install python3-prometheus-client)",
  );
  return undefined;
}

/**
 * Parses `body` with `prometheus_client.openmetrics.parser`; throws with the parser's message when
 * it refuses it. Synchronous: one Python per python path and test file, kept by a worker thread
 * (test/support/openmetrics-worker.mjs), answers while this thread waits.
 */
export function parseOpenMetrics(python: string, body: string): ParsedFamily[] {
  const server = serverFor(python);
  Atomics.store(server.flag, 0, 0);
  server.port.postMessage({ body });
  const waited = Atomics.wait(server.flag, 0, 0, PARSE_LIMIT_MS);
  let answer: { line: string } | { died: string } | undefined;
  for (
    let m = receiveMessageOnPort(server.port);
    m !== undefined;
    m = receiveMessageOnPort(server.port)
  ) {
    const message = m.message as { pid: number } | { line: string } | { died: string };
    if ('pid' in message) server.pid = message.pid;
    else answer = message;
  }
  if (waited === 'timed-out' || answer === undefined || 'died' in answer) {
    stop(python, server);
    throw new Error(
      waited === 'timed-out'
        ? `OpenMetrics parser did not answer within ${PARSE_LIMIT_MS} ms`
        : `OpenMetrics parser failed: ${answer !== undefined && 'died' in answer ? answer.died : 'no answer'}`,
    );
  }
  const parsed = JSON.parse(answer.line) as { families: ParsedFamily[] } | { error: string };
  if ('error' in parsed) {
    throw new Error(`OpenMetrics parser refused the body: ${parsed.error}`);
  }
  return parsed.families;
}
