import { connectToPrimary } from '@mvx-metrics/core/cluster';
import type { ExampleConfig } from '../config.js';
import { DocumentServer } from '../http/document-server.js';
import { diskLikeDelay, InMemoryBackend, SimulatedBackend } from '../storage/backend.js';
import { DocumentStorage } from '../storage/document-storage.js';
import { RECORDERS } from '../wiring.js';
import { tagging } from './event-codec.js';

/** The message the primary sends a worker to make it drain and exit. */
export const DRAIN = 'docs.drain';

/**
 * A worker of `npm start -- --workers N`: the document service on the shared port, its events
 * sent to the primary's recorders. It holds no metric state. On `DRAIN` (or SIGTERM / SIGINT to
 * the process group) it finishes its requests, hands every event over, and exits 0.
 */
export async function runClusterWorker(config: ExampleConfig): Promise<void> {
  const storageEvents = connectToPrimary(RECORDERS.storage);
  const httpEvents = connectToPrimary(RECORDERS.http);
  const storage = new DocumentStorage(tagging(storageEvents), {
    backend: new SimulatedBackend(new InMemoryBackend(), {
      delayMs: diskLikeDelay(),
      failWrite: (id) => id.startsWith('faulty-'),
    }),
  });
  // No per-connection scopes here: a recorder per connection would live in the primary.
  const server = new DocumentServer({ storage, recorder: tagging(httpEvents) });
  await server.listen(config.port, config.host);

  let draining = false;
  const drain = async (): Promise<void> => {
    if (draining) return;
    draining = true;
    await server.close(2000);
    await Promise.all([storageEvents.flush(), httpEvents.flush()]);
    storageEvents.close();
    httpEvents.close();
    process.exit(0);
  };
  process.on('message', (message) => {
    if (message === DRAIN) void drain();
  });
  process.on('SIGTERM', () => void drain());
  process.on('SIGINT', () => void drain());
}
