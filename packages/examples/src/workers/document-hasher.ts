import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { deflateSync } from 'node:zlib';
import { MetricEvent, type MetricsRecorder } from '@mvx-metrics/core';

/** A document to fingerprint. */
export interface Document {
  id: string;
  content: string;
}

/**
 * Emitted once per hashed document. It carries a `type` because it crosses a thread boundary:
 * structured clone keeps the fields, not the class, so the metrics select it by `type`.
 */
export class DocumentHashed extends MetricEvent {
  readonly type = 'document.hashed';

  constructor(
    readonly bytes: number,
    readonly compressedBytes: number,
    readonly seconds: number,
  ) {
    super();
  }
}

/**
 * Production code that runs inside a pool worker: CPU work (SHA-256 plus a deflate to learn how
 * compressible the document is). It knows one thing about metrics: something with
 * `registerEvent`. In the worker that is a `connectRecorder(handle)`; in its unit test, a test
 * recorder.
 */
export class DocumentHasher {
  constructor(private readonly metrics: Pick<MetricsRecorder, 'registerEvent'>) {}

  /** Returns the hex SHA-256 of the document's content. */
  hash(document: Document): string {
    const started = performance.now();
    const bytes = Buffer.from(document.content, 'utf8');
    const digest = createHash('sha256').update(bytes).digest('hex');
    const compressed = deflateSync(bytes).length;
    this.metrics.registerEvent(
      new DocumentHashed(bytes.length, compressed, (performance.now() - started) / 1000),
    );
    return digest;
  }
}
