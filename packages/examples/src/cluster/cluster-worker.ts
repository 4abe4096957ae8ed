import { connectToPrimary } from '@mvx-metrics/core/cluster';
import type { ExampleConfig } from '../config.js';
import { DocumentServer } from '../http/document-server.js';
import { diskLikeDelay, InMemoryBackend, SimulatedBackend } from '../storage/backend.js';
import { DocumentStorage } from '../storage/document-storage.js';
import { RECORDERS } from '../wiring.js';
import { tagging } from './event-codec.js';

/**
 * A worker of `npm start -- --workers N`: the document service on the shared port, its events
 * sent to the primary's recorders. It holds no metric state. On SIGTERM (from the primary, by pid)
 * or SIGINT (Ctrl-C reaches the whole process group) it finishes its requests, hands every event
 * over, and exits 0. A signal, unlike a message, cannot arrive before its listener and be lost.
 */
export async function runClusterWorker(config: ExampleConfig): Promise<void> {
  let drain: () => Promise<void> = async () => process.exit(0); // nothing to hand over yet
  // First thing: a stop requested while starting must not find the default handler (which
  // kills the process, and the primary would take that for a crash).
  process.on('SIGTERM', () => void drain());
  process.on('SIGINT', () => void drain());
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
  drain = async () => {
    if (draining) return;
    draining = true;
    await server.close(2000);
    await Promise.all([storageEvents.flush(), httpEvents.flush()]);
    storageEvents.close();
    httpEvents.close();
    process.exit(0);
  };
}
