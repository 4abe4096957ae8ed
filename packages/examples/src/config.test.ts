import { describe, expect, test } from 'vitest';
import { ConfigError, parseConfig, USAGE } from './config.js';

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
      otlpEndpoint: undefined,
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

  test('--otlp-endpoint is passed on as a base URL; the OTEL_* environment is left to the pipeline', () => {
    expect(parseConfig(['--otlp-endpoint', 'http://collector:4318'], {}).otlpEndpoint).toBe(
      'http://collector:4318/',
    );
    const fromEnv = parseConfig([], {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces',
    });
    expect(fromEnv.otlpEndpoint).toBeUndefined();
  });

  test.each([
    [['--otlp-endpoint', 'not a url'], {}, /is not a valid URL: it does not start with http/],
    [['--otlp-endpoint', 'ftp://x'], {}, /--otlp-endpoint must be an http:\/\/ or https:\/\//],
    [['--port', '70000'], {}, /--port \/ SERVICE_PORT must be a number from 0 to 65535/],
    [['--rate', 'fast'], {}, /--rate \/ LOAD_RATE must be a number/],
    [['--bogus'], {}, /Unknown option '--bogus'.*--help/],
  ])('refuses bad configuration with one clear message: %j %j', (argv, env, message) => {
    expect(() => parseConfig(argv, env)).toThrow(ConfigError);
    expect(() => parseConfig(argv, env)).toThrow(message);
  });
});

describe('USAGE (the --help text)', () => {
  test('fits an 80-column terminal', () => {
    const wide = USAGE.split('\n').filter((line) => line.length > 80);
    expect(wide).toEqual([]);
  });
});
