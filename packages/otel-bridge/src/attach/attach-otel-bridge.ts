import {
  defaultErrorHandler,
  isValidMetricName,
  MetricsWiringError,
  normalizeAttributeValue,
} from '@mvx-metrics/core';
import { metrics, trace } from '@opentelemetry/api';
import { resolveExemplarFilter } from '../exemplars/exemplar-filter.js';
import { ExemplarSampler } from '../exemplars/exemplar-sampler.js';
import { InstrumentSink } from '../instruments/instrument-sink.js';
import { SelfTelemetryInstruments } from '../instruments/self-telemetry-instruments.js';
import { defaultEpochClock } from '../internal/clock.js';
import { shown } from '../internal/option-checks.js';
import { Reporter } from '../internal/report.js';
import { addProducerFeed } from '../producer/mvx-metric-producer.js';
import { pipelineLinkOf } from '../producer/pipeline-link.js';
import { createContextCapture } from '../spans/context-capture.js';
import { Attachment, type BridgeTarget, isRuntime } from './attachment.js';
import { nameGuardFor } from './name-guard.js';
import { checkBridgeOptions } from './options.js';
import { watchRuntime } from './runtime-watch.js';
import type { OtelBridge, OtelBridgeOptions } from './types.js';

const ATTACHED = new WeakSet<BridgeTarget>();
const TRACER_NAME = '@mvx-metrics/otel-bridge';

/**
 * Mirrors a runtime's (or one recorder's) accepted metric state into OpenTelemetry, and with
 * `spans: true` links each accepted event into the trace active when it was registered.
 * Production code is untouched: this is wiring.
 *
 * @example
 * const pipeline = await createOtelPipeline({ serviceName: 'docs' });
 * const bridge = attachOtelBridge(runtime, {
 *   meterProvider: pipeline.meterProvider,
 *   tracerProvider: pipeline.tracerProvider,
 *   spans: true,
 * });
 * // ... on shutdown: drain, export a last time, then detach
 * await runtime.shutdown();
 * await pipeline.shutdown();
 * bridge.detach();
 */
export function attachOtelBridge(target: BridgeTarget, options?: OtelBridgeOptions): OtelBridge {
  if (
    target === null ||
    typeof target !== 'object' ||
    typeof target.setContextCapture !== 'function'
  ) {
    throw new MetricsWiringError(
      'invalid-option',
      'attachOtelBridge needs a MetricsRuntime or a MetricsRecorder as its first argument.',
    );
  }
  if (ATTACHED.has(target)) {
    throw new MetricsWiringError(
      'invalid-option',
      'attachOtelBridge: this runtime/recorder already has a bridge attached; detach() it first (two bridges would export every series twice).',
    );
  }
  const opts = checkBridgeOptions(options);
  const recorderAttribute =
    opts.recorderAttribute === undefined ? 'recorder' : opts.recorderAttribute;
  if (
    recorderAttribute !== false &&
    (typeof recorderAttribute !== 'string' || recorderAttribute === '')
  ) {
    throw new MetricsWiringError(
      'invalid-option',
      `attachOtelBridge: recorderAttribute must be a non-empty string or false, got ${shown(recorderAttribute)}.`,
    );
  }
  const namespace = isRuntime(target)
    ? target.namespace
    : opts.namespace === undefined
      ? 'mvx'
      : opts.namespace;
  if (!isValidMetricName(namespace)) {
    throw new MetricsWiringError(
      'invalid-option',
      `attachOtelBridge: namespace must use OpenTelemetry instrument-name syntax, got ${shown(namespace)}.`,
    );
  }

  const meterProvider = opts.meterProvider ?? metrics.getMeterProvider();
  // A pipeline's provider carries the pipeline's wiring (producer/pipeline-link.ts).
  const pipeline = opts.metricProducer === undefined ? pipelineLinkOf(meterProvider) : undefined;
  const producer = opts.metricProducer ?? pipeline?.producer;
  const spans = opts.spans === true;
  const clock = opts.clock ?? defaultEpochClock;
  const reporter = new Reporter(opts.onError ?? defaultErrorHandler);
  // Exemplars reach /metrics through the producer; OpenTelemetry's own data model carries none.
  // A pipeline's provider brings the filter the pipeline resolved (option, else the environment).
  const exemplarFilter = resolveExemplarFilter(
    opts.exemplarFilter ?? pipeline?.exemplarFilter,
    reporter,
  );
  const sampler =
    producer === undefined || exemplarFilter === 'always_off'
      ? undefined
      : new ExemplarSampler(exemplarFilter, clock);
  const attachment = new Attachment(target, {
    names: nameGuardFor(producer ?? meterProvider),
    namespace,
    // A label key like any other: core's rule (lone surrogates and NUL become U+FFFD).
    recorderAttribute:
      recorderAttribute === false ? false : (normalizeAttributeValue(recorderAttribute) as string),
    selfTelemetry: opts.selfTelemetry ?? true,
    tracer: spans
      ? (opts.tracerProvider ?? trace.getTracerProvider()).getTracer(TRACER_NAME)
      : undefined,
    exemplars: sampler,
    clock,
    reporter,
  });

  const sink =
    producer === undefined ? new InstrumentSink(meterProvider, attachment, reporter) : undefined;
  const selfInstruments =
    producer === undefined && (opts.selfTelemetry ?? true)
      ? new SelfTelemetryInstruments(meterProvider, attachment)
      : undefined;
  try {
    attachment.start(sink);
  } catch (error) {
    // a name clash among the present recorders: leave nothing half attached (no callback of
    // ours stays on the user's MeterProvider)
    attachment.detach();
    sink?.close();
    selfInstruments?.close();
    throw error;
  }
  const disconnect = producer === undefined ? undefined : addProducerFeed(producer, attachment);
  const health = producer === undefined ? undefined : pipelineLinkOf(producer)?.health;
  const unwatch = watchRuntime(target, {
    namespace,
    health,
    flush: health === undefined ? flushOf(meterProvider) : () => health.flush(),
    spanEvents: spans,
    reporter,
  });
  const capture = opts.captureContext ?? (spans || sink !== undefined || sampler !== undefined);
  if (capture) {
    const scope = exemplarFilter === 'always_on' ? 'any' : 'sampled';
    attachment.installCapture(createContextCapture(clock, scope));
  }
  ATTACHED.add(target);

  let detached = false;
  return {
    mode: producer === undefined ? 'instruments' : 'producer',
    metricProducer: producer,
    detach() {
      if (detached) return;
      detached = true;
      if (capture) attachment.installCapture(undefined);
      unwatch();
      disconnect?.();
      sink?.close();
      selfInstruments?.close();
      attachment.detach();
      ATTACHED.delete(target);
    },
  };
}

// An SDK MeterProvider (the user's own, or NodeSDK's global one) exports through its readers on
// forceFlush; the API's no-op provider has no such method.
function flushOf(provider: unknown): (() => Promise<void>) | undefined {
  const flush = (provider as { forceFlush?: unknown } | null)?.forceFlush;
  if (typeof flush !== 'function') return undefined;
  return () => Promise.resolve(flush.call(provider));
}
