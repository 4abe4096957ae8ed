// registerEvent with the bridge's context capturer (issue 12's traced hot path): ns per call with
// the capturer installed (no span; a sampled span; an unsampled span; a new request context every
// 4 events; the context manager installed by another SDK) vs no capturer in the same situation,
// beside the capturer the bridge had before (a clock read and an allocation per event) and the
// option of a clock read per event without the allocation.
//
// Each figure comes from bench/capture-variant.mjs in a process of its own (one capturer, as in a
// service); the processes run in rounds, every variant once per round, and each figure is the
// median over the rounds. Run with `npm run bench` or `node bench/run.mjs capture` after a build.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatNs, machine, median, printTable, row } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ROUNDS = 5;

const JOBS = [
  ['none', 'root'],
  ['bridge', 'root'],
  ['none', 'sampled'],
  ['bridge', 'sampled'],
  ['none', 'unsampled'],
  ['bridge', 'unsampled'],
  ['bridge-sdk', 'root'],
  ['bridge-sdk', 'sampled'],
  ['previous', 'sampled'],
  ['clock-only', 'sampled'],
  ['none', 'requests'],
  ['bridge', 'requests'],
  ['previous', 'requests'],
  ['noop', 'root'],
];

function measure(capturer, situation) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', join(here, 'capture-variant.mjs'), capturer, situation],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`capture-variant ${capturer} ${situation} exited ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()));
    });
  });
}

console.log(`${await machine()}\n`);
const results = new Map(JOBS.map(([c, s]) => [`${c} ${s}`, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [capturer, situation] of JOBS) {
    results.get(`${capturer} ${situation}`).push(await measure(capturer, situation));
  }
}
const figure = (job, field) => median(results.get(job).map((r) => r[field]));

const over = (value, reference) =>
  `${value >= reference ? '+' : '−'}${formatNs(Math.abs(value - reference))}`;
const ROWS = [
  [
    'capturer installed, no active span',
    'bridge root',
    'no capturer, no span',
    'none root',
    'report',
  ],
  [
    'capturer installed, sampled span active',
    'bridge sampled',
    'no capturer, same span',
    'none sampled',
    '≤ +40 ns',
  ],
  [
    'capturer installed, unsampled span active',
    'bridge unsampled',
    'no capturer, same span',
    'none unsampled',
    'lookup only',
  ],
  [
    'capturer installed, sampled span active, vs the untraced call',
    'bridge sampled',
    'no capturer, no span',
    'none root',
    '',
  ],
  [
    'context manager of another SDK (lookup through the API), no span',
    'bridge-sdk root',
    'no capturer, no span',
    'none root',
    'report',
  ],
  [
    'context manager of another SDK, sampled span active',
    'bridge-sdk sampled',
    'no capturer, same span',
    'none sampled',
    '≤ +40 ns',
  ],
  [
    'before: clock read + allocation per event, sampled span',
    'previous sampled',
    'no capturer, same span',
    'none sampled',
    '',
  ],
  [
    'option: clock read per event, context kept (no allocation)',
    'clock-only sampled',
    'no capturer, same span',
    'none sampled',
    '',
  ],
  [
    'capturer installed, a new request context every 4 events',
    'bridge requests',
    'no capturer, same contexts',
    'none requests',
    'report',
  ],
  [
    'before, a new request context every 4 events',
    'previous requests',
    'no capturer, same contexts',
    'none requests',
    '',
  ],
  [
    'a capturer returning undefined (core’s own cost)',
    'noop root',
    'no capturer, no span',
    'none root',
    '',
  ],
];
const rowsOf = (field) =>
  ROWS.map(([name, job, refName, ref, target]) => {
    const value = figure(job, field);
    const reference = figure(ref, field);
    const pass = target === '≤ +40 ns' ? value - reference <= 40 : undefined;
    return row(
      name,
      formatNs(value),
      refName,
      formatNs(reference),
      over(value, reference),
      target,
      pass,
    );
  });
const runs = `median of ${ROUNDS} processes per figure`;
printTable(
  `registerEvent with the bridge context capturer, mean of every burst (${runs})`,
  rowsOf('mean'),
);
printTable(
  `Same, 25th percentile of the 256-event bursts (what a burst costs when not preempted; ${runs})`,
  rowsOf('quiet'),
);
