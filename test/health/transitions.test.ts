import { MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge, createMetricProducer } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { context, DiagLogLevel, diag, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The pipeline installs the AsyncLocalStorage context manager, so context.with(...) works.
let stopPipeline: () => Promise<void>;
beforeAll(async () => {
  const pipeline = await createOtelPipeline({
    serviceName: 'transitions-test',
    prometheus: false,
    otlp: false,
  });
  stopPipeline = () => pipeline.shutdown();
});
afterAll(() => stopPipeline());

describe('lifecycle transitions as telemetry', () => {
  it('become span events on the span active then (spans: true) and diag lines', async () => {
    const lines: string[] = [];
    const log = (message: string) => lines.push(message);
    diag.setLogger(
      { error: log, warn: log, info: log, debug: () => {}, verbose: () => {} },
      { logLevel: DiagLogLevel.INFO, suppressOverrideMessage: true },
    );
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new TracerProvider({
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    const runtime = new MetricsRuntime({ namespace: 'docs', onError: () => {} });
    const bridge = attachOtelBridge(runtime, {
      metricProducer: createMetricProducer(),
      tracerProvider,
      spans: true,
    });
    const tracer = tracerProvider.getTracer('test');
    try {
      const startup = tracer.startSpan('startup');
      context.with(trace.setSpan(context.active(), startup), () => runtime.start());
      startup.end();
      const stopping = tracer.startSpan('shutdown');
      await context.with(trace.setSpan(context.active(), stopping), () => runtime.shutdown());
      stopping.end();
      const events = exporter
        .getFinishedSpans()
        .map((span) => [span.name, span.events.map((e) => [e.name, e.attributes])]);
      expect(events).toEqual([
        [
          'startup',
          [
            [
              'mvx.runtime.state_change',
              {
                'mvx.namespace': 'docs',
                'mvx.runtime.state': 'running',
                'mvx.runtime.previous_state': 'initializing',
              },
            ],
          ],
        ],
        [
          'shutdown',
          [
            [
              'mvx.runtime.state_change',
              {
                'mvx.namespace': 'docs',
                'mvx.runtime.state': 'draining',
                'mvx.runtime.previous_state': 'running',
              },
            ],
            [
              'mvx.runtime.state_change',
              {
                'mvx.namespace': 'docs',
                'mvx.runtime.state': 'drained',
                'mvx.runtime.previous_state': 'draining',
              },
            ],
          ],
        ],
      ]);
      expect(lines.filter((l) => l.includes('runtime "docs"'))).toEqual([
        '@mvx-metrics/otel-bridge: runtime "docs" initializing → running',
        '@mvx-metrics/otel-bridge: runtime "docs" running → draining',
        '@mvx-metrics/otel-bridge: runtime "docs" draining → drained',
      ]);
    } finally {
      diag.disable();
      bridge.detach();
      await tracerProvider.shutdown();
    }
  });

  it('exports nothing (and warns nothing) for a runtime that drains after its pipeline shut down', async () => {
    const warnings: string[] = [];
    const log = (message: string) => warnings.push(message);
    diag.setLogger(
      { error: log, warn: log, info: () => {}, debug: () => {}, verbose: () => {} },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    );
    try {
      const pipeline = await createOtelPipeline({
        serviceName: 'order-test',
        prometheus: false,
        otlp: false,
        registerGlobals: false,
      });
      const runtime = new MetricsRuntime({ namespace: 'late', onError: () => {} });
      const bridge = attachOtelBridge(runtime, { meterProvider: pipeline.meterProvider });
      runtime.start();
      await pipeline.shutdown(); // the wrong order: the pipeline first
      await runtime.shutdown();
      await new Promise((resolve) => setImmediate(resolve));
      bridge.detach();
      expect(warnings).toEqual([]);
    } finally {
      diag.disable();
    }
  });

  it('adds no span event without spans: true, and stops following the runtime once detached', async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new TracerProvider({
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    const runtime = new MetricsRuntime({ namespace: 'docs', onError: () => {} });
    const quiet = attachOtelBridge(runtime, { metricProducer: createMetricProducer() });
    const tracer = tracerProvider.getTracer('test');
    const span = tracer.startSpan('startup');
    context.with(trace.setSpan(context.active(), span), () => runtime.start());
    span.end();
    quiet.detach();
    await runtime.shutdown();
    expect(exporter.getFinishedSpans()[0]?.events).toEqual([]);
    await tracerProvider.shutdown();
  });
});
