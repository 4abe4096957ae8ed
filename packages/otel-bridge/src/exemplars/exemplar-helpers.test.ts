// The small exemplar helpers, each against its own model: the filter from the option or
// OTEL_METRICS_EXEMPLAR_FILTER (case-insensitive, a bad value reported once, trace_based used),
// the filter-name check, `later` (ties go to the second), slot-by-slot merging of two points'
// exemplars (the longer list's length) and the latest of a list.
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Reporter } from '../internal/report.js';
import { isExemplarFilter, resolveExemplarFilter } from './exemplar-filter.js';
import { type BridgeExemplar, later, latestOf, mergeExemplars } from './types.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

function reporter() {
  const reports: { code: string; message: string }[] = [];
  const instance = new Reporter((error) => {
    reports.push({ code: (error as { code: string }).code, message: error.message });
  });
  return { instance, reports };
}

const exemplar = (time: number, value = time): BridgeExemplar => ({
  value,
  time,
  traceId: '',
  spanId: '',
});
const slot = fc.option(
  fc
    .record({ time: fc.integer({ min: 0, max: 5 }), value: fc.integer() })
    .map(({ time, value }) => exemplar(time, value)),
  { nil: undefined },
);

describe('resolveExemplarFilter', () => {
  it('the option wins over the environment', () => {
    vi.stubEnv('OTEL_METRICS_EXEMPLAR_FILTER', 'always_off');
    const { instance, reports } = reporter();
    expect(resolveExemplarFilter('always_on', instance)).toBe('always_on');
    expect(reports).toEqual([]);
  });

  it('without option: the variable, in any case, else trace_based', () => {
    const { instance, reports } = reporter();
    expect(resolveExemplarFilter(undefined, instance)).toBe('trace_based');
    for (const [raw, name] of [
      ['ALWAYS_ON', 'always_on'],
      ['Always_Off', 'always_off'],
      ['trace_based', 'trace_based'],
    ] as const) {
      vi.stubEnv('OTEL_METRICS_EXEMPLAR_FILTER', raw);
      expect(resolveExemplarFilter(undefined, instance)).toBe(name);
    }
    expect(reports).toEqual([]);
  });

  it('an unknown value is reported once, with the value, and trace_based used', () => {
    vi.stubEnv('OTEL_METRICS_EXEMPLAR_FILTER', 'sometimes');
    const { instance, reports } = reporter();
    expect(resolveExemplarFilter(undefined, instance)).toBe('trace_based');
    expect(resolveExemplarFilter(undefined, instance)).toBe('trace_based');
    vi.stubEnv('OTEL_METRICS_EXEMPLAR_FILTER', 'never');
    expect(resolveExemplarFilter(undefined, instance)).toBe('trace_based');
    expect(reports).toEqual([
      {
        code: 'invalid-option',
        message:
          'otel-bridge: OTEL_METRICS_EXEMPLAR_FILTER="sometimes" is not one of trace_based, always_on, always_off; using trace_based.',
      },
    ]);
  });
});

describe('isExemplarFilter', () => {
  it('is true for the three names exactly, false for anything else', () => {
    for (const name of ['trace_based', 'always_on', 'always_off']) {
      expect(isExemplarFilter(name)).toBe(true);
    }
    for (const other of ['ALWAYS_ON', 'sometimes', '', 5, null, undefined, {}, ['always_on']]) {
      expect(isExemplarFilter(other)).toBe(false);
    }
  });
});

describe('exemplar merging', () => {
  it('later: the one with the later time, the second on a tie, whichever is there', () => {
    const a = exemplar(1);
    const b = exemplar(2);
    const tie = exemplar(1, 99);
    expect(later(a, b)).toBe(b);
    expect(later(b, a)).toBe(b);
    expect(later(a, tie)).toBe(tie);
    expect(later(tie, a)).toBe(a);
    expect(later(undefined, a)).toBe(a);
    expect(later(a, undefined)).toBe(a);
    expect(later(undefined, undefined)).toBeUndefined();
  });

  it('mergeExemplars: slot by slot the later one, as long as the longer list; an empty side gives the other as it is (property)', () => {
    fc.assert(
      fc.property(
        fc.option(fc.array(slot, { maxLength: 6 }), { nil: undefined }),
        fc.option(fc.array(slot, { maxLength: 6 }), { nil: undefined }),
        (a, b) => {
          const merged = mergeExemplars(a, b);
          if (a === undefined || a.length === 0) {
            expect(merged).toBe(b);
            return;
          }
          if (b === undefined || b.length === 0) {
            expect(merged).toBe(a);
            return;
          }
          const expected = Array.from({ length: Math.max(a.length, b.length) }, (_, i) => {
            const x = a[i];
            const y = b[i];
            if (x === undefined) return y;
            if (y === undefined) return x;
            return y.time >= x.time ? y : x;
          });
          expect(merged).toEqual(expected);
          merged?.forEach((value, i) => {
            expect(value === a[i] || value === b[i]).toBe(true);
          });
        },
      ),
    );
  });

  it('latestOf: the latest exemplar of a list (the last of equals), none for none', () => {
    expect(latestOf(undefined)).toBeUndefined();
    expect(latestOf([])).toBeUndefined();
    const first = exemplar(3, 1);
    const last = exemplar(3, 2);
    expect(latestOf([exemplar(1), first, undefined, exemplar(2), last])).toBe(last);
  });
});
