// The pipeline's redactor at its edges: the secrets it learns from each OTEL_EXPORTER_OTLP_*
// variable and from the options (URLs with credentials and queries, header values raw and trimmed,
// a header written with its value), options it cannot read (no object, throwing getters and keys),
// and the exporter wrapper that redacts failed exports' errors and leaves the rest alone.
import type { ExportResult } from '@opentelemetry/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pipelineRedactor, redactingExporter } from './secrets.js';

const VARIABLES = ['', 'METRICS_', 'TRACES_'].flatMap((infix) => [
  `OTEL_EXPORTER_OTLP_${infix}HEADERS`,
  `OTEL_EXPORTER_OTLP_${infix}ENDPOINT`,
]);

afterEach(() => {
  vi.unstubAllEnvs();
});

function clearVariables(): void {
  for (const name of VARIABLES) vi.stubEnv(name, '');
}

describe('pipelineRedactor: what it learns', () => {
  it.each(['', 'METRICS_', 'TRACES_'])(
    'hides OTEL_EXPORTER_OTLP_%sHEADERS values and ENDPOINT credentials',
    (infix) => {
      clearVariables();
      vi.stubEnv(`OTEL_EXPORTER_OTLP_${infix}HEADERS`, 'x-api-key=key-4567');
      vi.stubEnv(`OTEL_EXPORTER_OTLP_${infix}ENDPOINT`, 'http://alice:tok-7890@collector:4318/');
      const redactor = pipelineRedactor(undefined);
      expect(redactor.text('sent key-4567 and tok-7890 alone')).toBe('sent *** and *** alone');
    },
  );

  it('learns nothing from unset variables and no options', () => {
    clearVariables();
    expect(pipelineRedactor(undefined).text('key-4567 tok-7890')).toBe('key-4567 tok-7890');
  });

  it('hides the credentials of each URL option', () => {
    clearVariables();
    const redactor = pipelineRedactor({
      otlp: {
        endpoint: 'http://ua:first-secret@collector:4318/',
        metricsUrl: 'http://ub:second-secret@collector:4318/v1/metrics',
        tracesUrl: 'http://uc:third-secret@collector:4318/v1/traces',
      },
    });
    expect(redactor.text('first-secret second-secret third-secret')).toBe('*** *** ***');
  });

  it('hides header values, raw and trimmed, and a header name written with its value', () => {
    clearVariables();
    const redactor = pipelineRedactor({
      otlp: {
        headers: {
          authorization: '  Bearer tok-1234  ',
          'Authorization: Bearer tok-5678': 'x',
          'x-count': 12345,
        },
      },
    });
    expect(redactor.text('[Bearer tok-1234] [  Bearer tok-1234  ]')).toBe('[***] [***]');
    expect(redactor.text('Authorization: Bearer tok-5678')).toBe('***');
    // a well-formed header name is no secret, a value that is no string is not read
    expect(redactor.text('authorization 12345')).toBe('authorization 12345');
  });

  it('never throws on options it cannot read, and still hides what the variables hold', () => {
    clearVariables();
    vi.stubEnv('OTEL_EXPORTER_OTLP_HEADERS', 'x-api-key=key-4567');
    const throwing = {
      get otlp(): never {
        throw new Error('no');
      },
    };
    const keys = {
      otlp: {
        headers: new Proxy(
          {},
          {
            ownKeys: () => {
              throw new Error('no keys');
            },
          },
        ),
      },
    };
    const header = {
      otlp: {
        headers: {
          get authorization(): never {
            throw new Error('no value');
          },
        },
      },
    };
    for (const options of [
      5,
      null,
      'otlp',
      throwing,
      keys,
      header,
      { otlp: null },
      { otlp: { headers: null } },
      { otlp: { headers: 'x=y' } },
    ]) {
      expect(pipelineRedactor(options).text('key-4567')).toBe('***');
    }
  });
});

describe('redactingExporter', () => {
  function exporter(result: ExportResult) {
    return {
      name: 'inner',
      calls: 0,
      export(_items: never, done: (result: ExportResult) => void) {
        this.calls++;
        done(result);
      },
      shutdown() {
        return `${this.name} shut down`;
      },
    };
  }
  const redactor = pipelineRedactor({ otlp: { headers: { authorization: 'tok-secret' } } });

  it('redacts the error of a failed export', () => {
    clearVariables();
    const inner = exporter({ code: 1, error: new Error('refused tok-secret') });
    const results: ExportResult[] = [];
    redactingExporter(inner, redactor).export(undefined as never, (r) => results.push(r));
    expect(results.map((r) => [r.code, r.error?.message])).toEqual([[1, 'refused ***']]);
    expect(inner.calls).toBe(1);
  });

  it('hands a result without an error on as it is', () => {
    const result = { code: 0 };
    const results: ExportResult[] = [];
    redactingExporter(exporter(result), redactor).export(undefined as never, (r) =>
      results.push(r),
    );
    expect(results).toHaveLength(1);
    expect(results[0]).toBe(result);
  });

  it('gives every other member as the exporter has it, its methods bound to it', () => {
    const inner = exporter({ code: 0 });
    const wrapped = redactingExporter(inner, redactor);
    expect(wrapped.name).toBe('inner');
    const { shutdown } = wrapped;
    expect(shutdown()).toBe('inner shut down');
  });
});
