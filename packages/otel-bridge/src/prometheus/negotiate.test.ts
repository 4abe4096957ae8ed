import { describe, expect, it } from 'vitest';
import { prefersOpenMetrics } from './negotiate.js';

describe('prefersOpenMetrics', () => {
  it('picks OpenMetrics for the Accept header Prometheus sends with exemplar storage on', () => {
    expect(
      prefersOpenMetrics(
        'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      ),
    ).toBe(true);
    expect(prefersOpenMetrics('application/openmetrics-text; version=1.0.0; charset=utf-8')).toBe(
      true,
    );
  });

  it('keeps the text format for curl, browsers, no header, and scrapers that rank text first', () => {
    expect(prefersOpenMetrics(undefined)).toBe(false);
    expect(prefersOpenMetrics('')).toBe(false);
    expect(prefersOpenMetrics('*/*')).toBe(false);
    expect(prefersOpenMetrics('text/plain;version=0.0.4')).toBe(false);
    expect(prefersOpenMetrics('text/html,application/xhtml+xml,*/*;q=0.8')).toBe(false);
    expect(
      prefersOpenMetrics(
        'text/plain;version=0.0.4,application/openmetrics-text;version=1.0.0;q=0.5',
      ),
    ).toBe(false);
  });

  it('refuses OpenMetrics with q=0 or a version it does not serve', () => {
    expect(prefersOpenMetrics('application/openmetrics-text;q=0,text/plain;q=0.1')).toBe(false);
    expect(prefersOpenMetrics('application/openmetrics-text;version=2.0.0')).toBe(false);
  });
});
