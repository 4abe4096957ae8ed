// How long runtime.shutdown({ timeoutMs }) takes to resolve when the drain cannot finish, and what
// it leaves: 10 000 pending events behind a metric that blocks 2 ms per event (20 s of work), or
// with a scheduler that never runs the task; 5 runs per case, median and max printed. Not part of
// `npm run bench` (not a ratio): `npm run build && node bench/failed-drain.mjs`.
import { MetricsRuntime } from '@mvx-metrics/core';

const blocking = {
  name: 'slow',
  handleEvent() {
    const until = performance.now() + 2;
    while (performance.now() < until) {
      // a metric that blocks
    }
    return true;
  },
  snapshot: () => ({ name: 'slow', kind: 'gauge', points: [] }),
};
const never = { schedule() {}, stats: () => ({ turns: 0, visits: 0 }) };
const cases = [
  ['blocking metric', undefined],
  ['scheduler never runs', never],
];

for (const [label, scheduler] of cases) {
  for (const timeoutMs of [30, 100, 1000]) {
    const times = [];
    let last;
    for (let i = 0; i < 5; i++) {
      const runtime = new MetricsRuntime({
        namespace: 'bench',
        onError: () => {},
        ...(scheduler === undefined ? {} : { scheduler }),
      });
      runtime.start();
      const recorder = runtime.createRecorder('r', { metrics: [blocking] });
      for (let k = 0; k < 10_000; k++) recorder.registerEvent({ type: 'x' });
      const started = performance.now();
      await runtime.shutdown({ timeoutMs });
      times.push(performance.now() - started);
      const s = recorder.stats();
      last = {
        state: runtime.state,
        processed: s.processed,
        dropped: s.dropped,
        pending: s.pending,
        conserved: s.registered === s.processed + s.dropped + s.pending,
      };
    }
    times.sort((a, b) => a - b);
    console.log(
      `${label.padEnd(22)} timeoutMs=${String(timeoutMs).padEnd(5)} resolved after median ${times[2].toFixed(1)} ms (max ${times[4].toFixed(1)}) ${JSON.stringify(last)}`,
    );
  }
}
