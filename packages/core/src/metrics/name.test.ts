import { describe, expect, it } from 'vitest';
import { MetricsWiringError } from '../errors/index.js';
import { counter, histogram } from './index.js';
import { assertValidMetricName, isValidMetricName } from './name.js';

describe('metric names (OpenTelemetry instrument-name rule)', () => {
  it('accepts a letter followed by letters, digits, _ . - /', () => {
    for (const name of ['a', 'document.save.attempts', 'http_server-duration/v2', 'A1']) {
      expect(isValidMetricName(name)).toBe(true);
    }
    expect(isValidMetricName(`a${'b'.repeat(254)}`)).toBe(true);
  });

  it('rejects empty, non-letter starts, other characters, and names over 255 characters', () => {
    for (const name of ['', '1abc', '_a', '.a', 'a b', 'a:b', 'é', 'a*', `a${'b'.repeat(255)}`]) {
      expect(isValidMetricName(name), name).toBe(false);
    }
    expect(isValidMetricName(undefined)).toBe(false);
    expect(isValidMetricName(42)).toBe(false);
  });

  it('throws a MetricsWiringError with code invalid-metric-name when a metric is defined', () => {
    let caught: unknown;
    try {
      counter({ name: 'save attempts', on: 'x' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MetricsWiringError);
    expect((caught as MetricsWiringError).code).toBe('invalid-metric-name');
    expect((caught as MetricsWiringError).message).toContain('"save attempts"');
    expect(() => histogram({ name: '9lives', on: 'x', value: () => 1 })).toThrow(
      MetricsWiringError,
    );
    expect(() => assertValidMetricName('ok.name')).not.toThrow();
  });
});
