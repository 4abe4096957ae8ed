import { MetricsWiringError } from '@mvx-metrics/core';
import { describe, expect, it } from 'vitest';
import { optionalImport } from './optional-import.js';

describe('optionalImport', () => {
  it('names a missing optional package, what chose it, and the install command', async () => {
    const missing = Object.assign(new Error("Cannot find package 'x'"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    const failure = optionalImport(
      () => Promise.reject(missing),
      '@opentelemetry/exporter-metrics-otlp-grpc',
      'OTLP grpc',
    );
    await expect(failure).rejects.toBeInstanceOf(MetricsWiringError);
    await expect(failure).rejects.toThrow(
      'createOtelPipeline: OTLP grpc needs @opentelemetry/exporter-metrics-otlp-grpc, which is not installed. Run: npm install @opentelemetry/exporter-metrics-otlp-grpc',
    );
  });

  it('passes other failures through unchanged, and a module through', async () => {
    const other = new TypeError('boom');
    await expect(optionalImport(() => Promise.reject(other), 'p', 'c')).rejects.toBe(other);
    await expect(optionalImport(() => import('node:path'), 'p', 'c')).resolves.toHaveProperty(
      'join',
    );
  });
});
