import { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { describe, expect, it } from 'vitest';
import { isolatedOtelEnv, runWorkload } from './otel-env-support.js';
import { startOtlpReceiver } from './otlp-receiver.js';

// `none` alone in OTEL_METRICS_EXPORTER / OTEL_TRACES_EXPORTER is the documented way to switch a
// signal off (OpenTelemetry SDK environment variables): valid, so nothing is reported, and the
// signal goes nowhere, whatever else the environment configures.

const { setEnv, cleanups } = isolatedOtelEnv();

describe('OTEL_*_EXPORTER=none alone', () => {
  it.each(['none', ' none ', 'none,none', 'none, none'])(
    'OTEL_METRICS_EXPORTER=%j and OTEL_TRACES_EXPORTER=none: no exporter, no report, nothing sent',
    async (value) => {
      const collector = await startOtlpReceiver();
      cleanups.push(() => collector.close());
      setEnv({
        OTEL_METRICS_EXPORTER: value,
        OTEL_TRACES_EXPORTER: 'none',
        // everything else would turn exporters on
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      });
      const reported: Error[] = [];
      const pipeline = await createOtelPipeline({
        serviceName: 's',
        registerGlobals: false,
        onError: (error) => reported.push(error),
      });
      cleanups.push(() => pipeline.shutdown());
      await (await runWorkload(pipeline, cleanups)).flush();
      expect(pipeline.exporters).toMatchObject({ metrics: [], traces: [] });
      expect(pipeline.prometheusUrl).toBeUndefined();
      expect(collector.requests).toEqual([]);
      expect(reported).toEqual([]);
    },
  );

  it('none beside another exporter is reported, and the signal stays off', async () => {
    setEnv({ OTEL_METRICS_EXPORTER: 'none,otlp', OTEL_TRACES_EXPORTER: 'none' });
    const reported: Error[] = [];
    const pipeline = await createOtelPipeline({
      serviceName: 's',
      registerGlobals: false,
      onError: (error) => reported.push(error),
    });
    cleanups.push(() => pipeline.shutdown());
    expect(pipeline.exporters).toMatchObject({ metrics: [], traces: [] });
    expect(reported.map((e) => e.message)).toEqual([
      expect.stringMatching(
        /OTEL_METRICS_EXPORTER="none,otlp" is invalid \(expected "none" alone\)/,
      ),
    ]);
  });
});
