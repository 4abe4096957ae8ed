#!/usr/bin/env node
// A standalone load generator: drives a running service until SIGTERM/SIGINT (or --duration),
// then prints what it sent as one JSON line. The end-to-end tests compare that with Prometheus.
import { parseArgs } from 'node:util';
import { LoadGenerator } from './load/load-generator.js';

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

let values: {
  target?: string;
  rate?: string;
  duration?: string;
  'connection-requests'?: string;
};
try {
  ({ values } = parseArgs({
    options: {
      target: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      'connection-requests': { type: 'string' },
    },
  }));
} catch (error) {
  fail((error as Error).message);
}
if (values.target === undefined || !URL.canParse(values.target)) {
  fail('--target <url> is required, e.g. --target http://127.0.0.1:8080');
}
const rate = Number(values.rate ?? '50');
const perConnection = Number(values['connection-requests'] ?? '200');
const duration = values.duration === undefined ? undefined : Number(values.duration);
if (!(rate > 0) || !(perConnection >= 1) || (duration !== undefined && !(duration > 0))) {
  fail('--rate, --connection-requests and --duration must be positive numbers');
}

const load = new LoadGenerator({
  target: values.target,
  rate,
  requestsPerConnection: perConnection,
});
load.start();
process.stderr.write(`load: ${rate} requests/s against ${values.target}\n`);

let stopped = false;
const stop = async () => {
  if (stopped) return;
  stopped = true;
  const totals = await load.stop();
  process.stdout.write(`${JSON.stringify(totals)}\n`);
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop());
if (duration !== undefined) setTimeout(() => void stop(), duration * 1000);
