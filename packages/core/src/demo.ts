// A console demo of core: `npm start` runs it until the example service lands.
import { counter, histogram, MetricEvent, MetricsRuntime } from './index.js';

class DocumentSaveAttempt extends MetricEvent {
  constructor(
    readonly outcome: 'success' | 'failure',
    readonly seconds: number,
  ) {
    super();
  }
}

const runtime = new MetricsRuntime({ namespace: 'demo' });
runtime.start();
const recorder = runtime.createRecorder('document_storage', {
  metrics: () => [
    counter({
      name: 'document.save.attempts',
      on: DocumentSaveAttempt,
      attributes: (e) => ({ outcome: e.outcome }),
    }),
    histogram({
      name: 'document.save.duration',
      unit: 's',
      on: DocumentSaveAttempt,
      value: (e) => e.seconds,
    }),
  ],
});

for (let i = 0; i < 10_000; i++) {
  recorder.registerEvent(
    new DocumentSaveAttempt(Math.random() < 0.9 ? 'success' : 'failure', Math.random() / 10),
  );
}
await runtime.shutdown();
console.log(
  JSON.stringify({ stats: recorder.stats(), snapshots: recorder.getMetricSnapshots() }, null, 2),
);
