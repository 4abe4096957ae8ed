export type { ExampleConfig } from './config.js';
export { ConfigError, parseConfig } from './config.js';
export type {
  ConnectionScope,
  DocumentServerOptions,
  EventSink,
  RequestHook,
  RequestInfo,
} from './http/document-server.js';
export { DocumentServer } from './http/document-server.js';
export { HttpRequestServed } from './http/events.js';
export type { LoadGeneratorOptions, LoadRequestKind, LoadTotals } from './load/load-generator.js';
export { LoadGenerator } from './load/load-generator.js';
export { connectionMetrics, HTTP_METRICS, httpServerMetrics } from './metrics/http-metrics.js';
export type { DocumentSaveResultsSnapshot } from './metrics/save-results-metric.js';
export { DocumentSaveResultsMetric } from './metrics/save-results-metric.js';
export { STORAGE_METRICS, storageMetrics } from './metrics/storage-metrics.js';
export type { DocumentBackend, SimulatedBackendOptions } from './storage/backend.js';
export { InMemoryBackend, SimulatedBackend } from './storage/backend.js';
export type {
  DocumentStorageOptions,
  InvalidDocumentReason,
  SaveResult,
} from './storage/document-storage.js';
export {
  DocumentStorage,
  InvalidDocumentError,
  StorageUnavailableError,
} from './storage/document-storage.js';
export type { SaveOutcome } from './storage/events.js';
export {
  DocumentCountChanged,
  DocumentLookup,
  DocumentSaveAttempt,
  SAVE_OUTCOMES,
  StorageUsageMeasured,
} from './storage/events.js';
export type { RunningService } from './wiring.js';
export { RECORDERS, startDocumentService } from './wiring.js';
