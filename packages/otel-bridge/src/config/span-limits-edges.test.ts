// The span limits at their edges: the `spanLimits` option's refusals (each limit, every kind of bad
// value, unknown keys, in words), and the limits built from the environment as NodeSDK builds them
// (first variable found wins, a non-number skipped and reported, a negative or fractional value used
// and reported), the option over them field by field.
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PipelineEnvironment } from './environment.js';
import { checkSpanLimits, resolveSpanLimits } from './span-limits.js';

const KEYS = [
  'attributeCountLimit',
  'attributeValueLengthLimit',
  'eventCountLimit',
  'linkCountLimit',
  'attributePerEventCountLimit',
  'attributePerLinkCountLimit',
] as const;

const VARIABLES = [
  'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  'OTEL_SPAN_EVENT_COUNT_LIMIT',
  'OTEL_SPAN_LINK_COUNT_LIMIT',
  'OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT',
  'OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT',
];

function refusal(raw: unknown): string | undefined {
  try {
    checkSpanLimits(raw);
    return undefined;
  } catch (error) {
    return `${(error as { code?: string }).code}: ${(error as Error).message}`;
  }
}

describe('checkSpanLimits', () => {
  it('accepts no option, an empty one, and whole numbers of at least 0 or Infinity (property)', () => {
    expect(refusal(undefined)).toBeUndefined();
    expect(refusal({})).toBeUndefined();
    const limit = fc.oneof(
      fc.nat(),
      fc.constantFrom(0, Number.MAX_SAFE_INTEGER, Number.POSITIVE_INFINITY),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...KEYS), limit), (limits) => {
        expect(refusal(limits)).toBeUndefined();
      }),
    );
  });

  it.each([
    [-1, '-1'],
    [1.5, '1.5'],
    [Number.NaN, 'NaN'],
    [Number.NEGATIVE_INFINITY, '-Infinity'],
    ['3', '"3"'],
    [null, 'null'],
    [true, 'true'],
  ])('refuses %s for every limit, in words', (value, shown) => {
    for (const key of KEYS) {
      expect(refusal({ [key]: value })).toBe(
        `invalid-option: createOtelPipeline: spanLimits.${key} must be a whole number of at least 0 (or Infinity), got ${shown}.`,
      );
    }
  });

  it('refuses an option that is no object, and one whose limit cannot be read, naming spanLimits', () => {
    expect(refusal(5)).toBe(
      'invalid-option: createOtelPipeline: spanLimits: options must be an object, got 5.',
    );
    const hostile = {
      get linkCountLimit(): number {
        throw new Error('no');
      },
    };
    expect(refusal(hostile)).toMatch(
      /^invalid-option: createOtelPipeline: spanLimits: reading option `linkCountLimit` threw: /,
    );
  });

  it('accepts a limit set to undefined', () => {
    expect(refusal({ linkCountLimit: undefined })).toBeUndefined();
  });

  it('refuses keys that are no limit, naming each and the limits', () => {
    expect(refusal({ eventCountLimit: 1, foo: 1, attributeLimit: 2 })).toBe(
      `invalid-option: createOtelPipeline: spanLimits has no \`foo\`, \`attributeLimit\`; the limits are ${KEYS.join(', ')}.`,
    );
  });
});

describe('resolveSpanLimits', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  function resolve(variables: Record<string, string>, option?: Record<string, number>) {
    for (const name of VARIABLES) vi.stubEnv(name, variables[name] ?? '');
    const env = new PipelineEnvironment();
    const limits = resolveSpanLimits(option, env);
    return { limits, problems: env.problems.map((p) => p.message) };
  }

  it('is empty without variables or option', () => {
    expect(resolve({})).toEqual({ limits: {}, problems: [] });
  });

  it('reads each limit from its variables, the span one first', () => {
    expect(
      resolve({
        OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '3',
        OTEL_ATTRIBUTE_COUNT_LIMIT: '4',
        OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '5',
        OTEL_SPAN_EVENT_COUNT_LIMIT: '6',
        OTEL_SPAN_LINK_COUNT_LIMIT: '7',
        OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT: '8',
        OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT: '9',
      }),
    ).toEqual({
      limits: {
        attributeCountLimit: 3,
        attributeValueLengthLimit: 5,
        eventCountLimit: 6,
        linkCountLimit: 7,
        attributePerEventCountLimit: 8,
        attributePerLinkCountLimit: 9,
      },
      problems: [],
    });
  });

  it('skips a variable that is no number, with a report, and reads the next', () => {
    expect(
      resolve({
        OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: 'many',
        OTEL_ATTRIBUTE_COUNT_LIMIT: '4',
        OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: 'x',
        OTEL_SPAN_LINK_COUNT_LIMIT: 'y',
      }),
    ).toEqual({
      limits: { attributeCountLimit: 4 },
      problems: [
        'createOtelPipeline: OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT="many" is invalid (expected a whole number of at least 0); using the default 128.',
        'createOtelPipeline: OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT="x" is invalid (expected a whole number of at least 0); using no limit.',
        'createOtelPipeline: OTEL_SPAN_LINK_COUNT_LIMIT="y" is invalid (expected a whole number of at least 0); using the default 128.',
      ],
    });
  });

  it('uses a negative or fractional value as NodeSDK does, with a report, and stops there', () => {
    expect(
      resolve({
        OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '-2',
        OTEL_ATTRIBUTE_COUNT_LIMIT: '4',
        OTEL_SPAN_EVENT_COUNT_LIMIT: '1.5',
      }),
    ).toEqual({
      limits: { attributeCountLimit: -2, eventCountLimit: 1.5 },
      problems: [
        'createOtelPipeline: OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT="-2" is invalid (expected a whole number of at least 0); using -2, as NodeSDK does.',
        'createOtelPipeline: OTEL_SPAN_EVENT_COUNT_LIMIT="1.5" is invalid (expected a whole number of at least 0); using 1.5, as NodeSDK does.',
      ],
    });
  });

  it('puts the option over the environment, field by field', () => {
    expect(
      resolve(
        { OTEL_SPAN_EVENT_COUNT_LIMIT: '6', OTEL_SPAN_LINK_COUNT_LIMIT: '7' },
        { linkCountLimit: 1, attributeCountLimit: 2 },
      ).limits,
    ).toEqual({ eventCountLimit: 6, linkCountLimit: 1, attributeCountLimit: 2 });
  });
});
