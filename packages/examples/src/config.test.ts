import { describe, expect, test } from 'vitest';
import { ConfigError, parseConfig } from './config.js';

describe('parseConfig', () => {
  test('defaults: service on 127.0.0.1:8080, /metrics on 9464, load on, OTLP off', () => {
    const config = parseConfig([], {});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      metricsHost: '127.0.0.1',
      metricsPort: 9464,
      loadRate: 40,
      ui: true,
      otlp: undefined,
      serviceName: 'document-storage',
    });
  });

  test('flags win over environment variables', () => {
    const config = parseConfig(['--port', '9000', '--no-ui', '--instance-id', 'a'], {
      SERVICE_PORT: '7000',
      METRICS_PORT: '9999',
      SERVICE_INSTANCE_ID: 'b',
    });
    expect(config).toMatchObject({ port: 9000, metricsPort: 9999, ui: false, instanceId: 'a' });
  });

  test('--no-load sets the rate to 0', () => {
    expect(parseConfig(['--no-load', '--rate', '10'], {}).loadRate).toBe(0);
  });

  test('OTEL_EXPORTER_OTLP_ENDPOINT is a base URL each signal appends its path to', () => {
    const config = parseConfig([], { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' });
    expect(config.otlp).toEqual({
      metricsUrl: 'http://localhost:4318/v1/metrics',
      tracesUrl: 'http://localhost:4318/v1/traces',
    });
  });

  test('per-signal endpoints are used as given', () => {
    const config = parseConfig([], {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://collector:4318/v1/metrics',
      OTEL_METRIC_EXPORT_INTERVAL: '5000',
    });
    expect(config.otlp).toEqual({
      metricsUrl: 'http://collector:4318/v1/metrics',
      tracesUrl: 'http://collector:4318/v1/traces',
      intervalMs: 5000,
    });
  });

  test('one per-signal endpoint without the other is refused (the pipeline pushes both)', () => {
    expect(() =>
      parseConfig([], { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }),
    ).toThrow(
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set but OTEL_EXPORTER_OTLP_METRICS_ENDPOINT is not',
    );
  });

  test.each([
    [[], { OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318:x' }, /OTEL_EXPORTER_OTLP_ENDPOINT .*http/],
    [[], { OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' }, /is not a valid URL: "not a url"/],
    [['--otlp-endpoint', 'ftp://x'], {}, /--otlp-endpoint must be an http:\/\/ or https:\/\//],
    [['--port', '70000'], {}, /--port \/ SERVICE_PORT must be a number from 0 to 65535/],
    [['--rate', 'fast'], {}, /--rate \/ LOAD_RATE must be a number/],
    [['--bogus'], {}, /Unknown option '--bogus'.*--help/],
  ])('refuses bad configuration with one clear message: %j %j', (argv, env, message) => {
    expect(() => parseConfig(argv, env)).toThrow(ConfigError);
    expect(() => parseConfig(argv, env)).toThrow(message);
  });
});
