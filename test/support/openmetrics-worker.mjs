// The worker thread behind test/support/openmetrics.ts: it keeps one Python process (the parser
// script, prometheus_client imported once) and relays bodies to it, so that parseOpenMetrics can
// stay synchronous (the caller blocks on Atomics.wait until this thread answers) without starting
// a Python per body. Plain JavaScript: Node loads it directly, not through vitest.
import { spawn } from 'node:child_process';
import { workerData } from 'node:worker_threads';

/** @type {{ python: string, script: string, signal: SharedArrayBuffer, port: import('node:worker_threads').MessagePort }} */
const { python, script, signal, port } = workerData;
const flag = new Int32Array(signal);

/** @type {import('node:child_process').ChildProcessWithoutNullStreams | undefined} */
let child;
let stdout = [];
let stderr = '';
let waiting = false;

function answer(message) {
  waiting = false;
  port.postMessage(message);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

function start() {
  const started = spawn(python, ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  child = started;
  // The test file's thread kills it by this PID when its process exits.
  if (started.pid !== undefined) port.postMessage({ pid: started.pid });
  stdout = [];
  stderr = '';
  started.stdout.on('data', (chunk) => {
    // One answer per line; a large answer arrives in many chunks.
    let at = chunk.indexOf(10);
    while (at !== -1) {
      stdout.push(chunk.subarray(0, at));
      const line = Buffer.concat(stdout).toString('utf8');
      stdout = [];
      answer({ line });
      chunk = chunk.subarray(at + 1);
      at = chunk.indexOf(10);
    }
    if (chunk.length > 0) stdout.push(chunk);
  });
  started.stderr.setEncoding('utf8');
  started.stderr.on('data', (text) => {
    stderr += text;
  });
  started.stdin.on('error', () => {}); // a Python that died: reported by 'close' below
  started.on('error', (error) => {
    if (child === started) child = undefined;
    if (waiting) answer({ died: `could not run ${python}: ${error.message}` });
  });
  started.on('close', (code, signalName) => {
    if (child === started) child = undefined;
    if (waiting) answer({ died: `${python} exited (${signalName ?? code}): ${stderr.trim()}` });
  });
}

port.on('message', ({ body, stop }) => {
  if (stop) {
    // stdin closed: the Python's loop ends; once it has exited, nothing keeps this thread alive
    if (child === undefined) port.close();
    else {
      child.once('close', () => port.close());
      child.stdin.end();
    }
    return;
  }
  if (child === undefined) start();
  waiting = true;
  const bytes = Buffer.from(body, 'utf8');
  child.stdin.write(`${bytes.length}\n`);
  child.stdin.write(bytes);
});
