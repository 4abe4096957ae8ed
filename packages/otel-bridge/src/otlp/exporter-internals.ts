import { ExporterClosedError } from './exporter-agents.js';

// The two places where the pipeline reaches into OpenTelemetry's OTLP exporters (0.2xx:
// `OTLPExporterBase._delegate`, an `OTLPExportDelegate` with `_responseHandler` and a
// `RetryingTransport` as `_transport`): they offer no public hook for a collector's partial
// success, nor for closing their transport while a request is open. Both are feature-detected:
// an exporter built differently keeps OpenTelemetry's behaviour (partial success to `diag`,
// transport closed by its own shutdown), and the pipeline's tests fail on such an upgrade.

/** A collector's `partialSuccess`, as the OTLP exporters decode it from protobuf or JSON. */
export interface PartialSuccess {
  readonly rejectedDataPoints?: unknown;
  readonly errorMessage?: unknown;
}

interface Delegate {
  _responseHandler?: unknown;
  _transport?: unknown;
}

function delegateOf(exporter: object): Delegate | undefined {
  const delegate = (exporter as { _delegate?: unknown })._delegate;
  return delegate !== null && typeof delegate === 'object' ? (delegate as Delegate) : undefined;
}

/**
 * The OTLP exporters hand a collector's response to a response handler that logs a partial
 * success to `diag`; this taps that handler (keeping it) so that `seen` gets the partial success
 * of the export about to call back (the handler runs right before the export's callback).
 */
export function watchPartialSuccess(
  exporter: object,
  seen: (partial: PartialSuccess) => void,
): void {
  const delegate = delegateOf(exporter);
  const handler = delegate?._responseHandler as
    | { handleResponse?: (response: unknown) => void }
    | undefined;
  if (delegate === undefined || typeof handler?.handleResponse !== 'function') return;
  const original = handler.handleResponse.bind(handler);
  delegate._responseHandler = {
    handleResponse(response: unknown) {
      const partial = (response as { partialSuccess?: PartialSuccess } | null | undefined)
        ?.partialSuccess;
      if (partial != null && typeof partial === 'object' && isReportable(partial)) seen(partial);
      original(response);
    },
  };
}

// The specification: an empty partialSuccess (nothing rejected, no message) means full success.
function isReportable(partial: PartialSuccess): boolean {
  const rejected = String(partial.rejectedDataPoints ?? 0);
  const message = typeof partial.errorMessage === 'string' ? partial.errorMessage : '';
  return (rejected !== '0' && rejected !== '') || message !== '';
}

interface RetryingTransport {
  retry?: (data: unknown, timeoutMillis: number, inMillis: number) => Promise<unknown>;
  shutdown?: () => void;
  _transport?: { send?: (data: unknown, timeoutMillis: number) => Promise<unknown> };
}

/**
 * Closes an exporter's transport while a request may be open. The exporter's own shutdown closes
 * it (the gRPC client) only once its requests ended, and its retrying transport waits for a retry
 * (a 503 with `Retry-After`, a refused connection) on a timer nobody can clear: either kept the
 * process alive past the pipeline's shutdown, up to the exporter's timeout. Retries are waited
 * for here instead, and `close()` ends those still waiting as failed.
 */
export class TransportControl {
  private readonly waits = new Set<{
    readonly timer: ReturnType<typeof setTimeout>;
    readonly resolve: (response: unknown) => void;
  }>();
  private closed = false;
  private readonly transport: RetryingTransport | undefined;

  constructor(exporter: object) {
    const transport = delegateOf(exporter)?._transport as RetryingTransport | undefined;
    this.transport = transport ?? undefined;
    const send = transport?._transport?.send;
    if (transport === undefined || typeof transport.retry !== 'function') return;
    if (typeof send !== 'function') return;
    const inner = transport._transport;
    transport.retry = (data, timeoutMillis, inMillis) => {
      if (this.closed) return Promise.resolve(closedResponse());
      return new Promise((resolve, reject) => {
        const wait = {
          resolve,
          timer: setTimeout(() => {
            this.waits.delete(wait);
            send.call(inner, data, timeoutMillis).then(resolve, reject);
          }, inMillis),
        };
        this.waits.add(wait);
      });
    };
  }

  /** Ends every retry still waiting (as failed) and shuts the transport. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const wait of this.waits) {
      clearTimeout(wait.timer);
      wait.resolve(closedResponse());
    }
    this.waits.clear();
    try {
      this.transport?.shutdown?.();
    } catch {
      // best effort: a transport that cannot close ends at the exporter's timeout
    }
  }
}

// An `ExportResponse` the exporter does not retry.
function closedResponse(): { status: 'failure'; error: Error } {
  return { status: 'failure', error: new ExporterClosedError() };
}
