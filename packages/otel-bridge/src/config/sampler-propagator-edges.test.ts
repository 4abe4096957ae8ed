// The sampler and propagators the environment names, at their edges: every
// `OTEL_TRACES_SAMPLER` with its ratio (default 1, out of range reported), and every
// `OTEL_PROPAGATORS` list (default, `none` anywhere, one propagator alone, b3 single and multi
// header, duplicates, unknown names reported and left out).
import type { TextMapPropagator } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PipelineEnvironment } from './environment.js';
import { propagatorFromEnv } from './propagator.js';
import { samplerFromEnv } from './sampler.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

const PARENT = (root: string) =>
  `ParentBased{root=${root}, remoteParentSampled=AlwaysOnSampler, remoteParentNotSampled=AlwaysOffSampler, localParentSampled=AlwaysOnSampler, localParentNotSampled=AlwaysOffSampler}`;

function sampler(name: string, arg = '') {
  vi.stubEnv('OTEL_TRACES_SAMPLER', name);
  vi.stubEnv('OTEL_TRACES_SAMPLER_ARG', arg);
  const env = new PipelineEnvironment();
  return { sampler: String(samplerFromEnv(env)), problems: env.problems.map((p) => p.message) };
}

describe('samplerFromEnv', () => {
  it.each([
    ['', PARENT('AlwaysOnSampler')],
    ['always_on', 'AlwaysOnSampler'],
    ['always_off', 'AlwaysOffSampler'],
    ['traceidratio', 'TraceIdRatioBased{1}'],
    ['parentbased_always_on', PARENT('AlwaysOnSampler')],
    ['parentbased_always_off', PARENT('AlwaysOffSampler')],
    ['parentbased_traceidratio', PARENT('TraceIdRatioBased{1}')],
  ])('OTEL_TRACES_SAMPLER=%j → %s', (name, built) => {
    expect(sampler(name)).toEqual({ sampler: built, problems: [] });
  });

  it('gives the ratio samplers OTEL_TRACES_SAMPLER_ARG, from 0 to 1', () => {
    expect(sampler('traceidratio', '0.25').sampler).toBe('TraceIdRatioBased{0.25}');
    expect(sampler('parentbased_traceidratio', '0').sampler).toBe(PARENT('TraceIdRatioBased{0}'));
    expect(sampler('traceidratio', '1.5')).toEqual({
      sampler: 'TraceIdRatioBased{1}',
      problems: [
        'createOtelPipeline: OTEL_TRACES_SAMPLER_ARG="1.5" is invalid (expected a number from 0 to 1); using 1.',
      ],
    });
  });

  it('reports an unknown sampler and uses the parent-based always-on one', () => {
    expect(sampler('sometimes')).toEqual({
      sampler: PARENT('AlwaysOnSampler'),
      problems: [
        'createOtelPipeline: OTEL_TRACES_SAMPLER="sometimes" is invalid (expected one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio); using the default parentbased_always_on.',
      ],
    });
  });
});

async function propagator(list: string) {
  vi.stubEnv('OTEL_PROPAGATORS', list);
  const env = new PipelineEnvironment();
  const built: TextMapPropagator = await propagatorFromEnv(env);
  return { built, fields: built.fields(), problems: env.problems.map((p) => p.message) };
}

const B3_MULTI = ['x-b3-traceid', 'x-b3-spanid', 'x-b3-flags', 'x-b3-sampled', 'x-b3-parentspanid'];

describe('propagatorFromEnv', () => {
  it.each([
    ['', ['traceparent', 'tracestate', 'baggage']],
    ['baggage,tracecontext', ['baggage', 'traceparent', 'tracestate']],
    ['tracecontext,tracecontext', ['traceparent', 'tracestate']],
    ['b3', ['b3']],
    ['b3multi', B3_MULTI],
    ['b3,b3multi', ['b3', ...B3_MULTI]],
    ['none', []],
    ['tracecontext,none,baggage', []],
  ])('OTEL_PROPAGATORS=%j → %j', async (list, fields) => {
    const { fields: got, problems } = await propagator(list);
    expect([got, problems]).toEqual([fields, []]);
  });

  it('gives one named propagator as it is, not in a composite', async () => {
    expect((await propagator('tracecontext')).built).toBeInstanceOf(W3CTraceContextPropagator);
  });

  it('reports every unknown name in one report and keeps the others', async () => {
    const { fields, problems } = await propagator('tracecontext,xray,jaeger');
    expect(fields).toEqual(['traceparent', 'tracestate']);
    expect(problems).toEqual([
      'createOtelPipeline: OTEL_PROPAGATORS="tracecontext,xray,jaeger" is invalid (expected a list of tracecontext, baggage, b3, b3multi, none); using the others, without "xray", "jaeger".',
    ]);
  });
});
