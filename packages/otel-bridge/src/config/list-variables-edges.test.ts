// The list variables (OTEL_METRICS_EXPORTER, OTEL_TRACES_EXPORTER, OTEL_NODE_RESOURCE_DETECTORS,
// OTEL_PROPAGATORS in sampler-propagator-edges) with more than one problem: a value is reported
// once, so that one report names every unknown entry and says what is really used.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PipelineEnvironment } from './environment.js';
import { buildResource } from './resource.js';
import { resolveSettings } from './settings.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

function settingsProblems(variables: Record<string, string>): string[] {
  for (const [name, value] of Object.entries(variables)) vi.stubEnv(name, value);
  const env = new PipelineEnvironment();
  resolveSettings({ serviceName: 's' }, env);
  return env.problems.map((p) => p.message);
}

describe('exporter lists', () => {
  it('names every unknown exporter in the one report', () => {
    expect(
      settingsProblems({
        OTEL_METRICS_EXPORTER: 'otlp,foo,bar',
        OTEL_TRACES_EXPORTER: 'zipkin,jaeger',
      }),
    ).toEqual([
      'createOtelPipeline: OTEL_METRICS_EXPORTER="otlp,foo,bar" is invalid (expected a list of otlp, prometheus, console, none); using the others, without "foo", "bar".',
      'createOtelPipeline: OTEL_TRACES_EXPORTER="zipkin,jaeger" is invalid (expected a list of otlp, console, none); using the others, without "zipkin", "jaeger".',
    ]);
  });

  it('says that none is used when none comes with an unknown name', () => {
    expect(settingsProblems({ OTEL_METRICS_EXPORTER: 'foo,none' })).toEqual([
      'createOtelPipeline: OTEL_METRICS_EXPORTER="foo,none" is invalid (expected "none" alone); using none.',
    ]);
  });
});

describe('OTEL_NODE_RESOURCE_DETECTORS', () => {
  it('names every unknown detector in the one report, and runs the known ones', async () => {
    vi.stubEnv('OTEL_NODE_RESOURCE_DETECTORS', 'foo,env,bar');
    vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', 'team=a');
    const env = new PipelineEnvironment();
    const resource = await buildResource({ serviceName: 's' }, env, (text) => text);
    expect(resource.attributes.team).toBe('a');
    expect(env.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(
        /^createOtelPipeline: OTEL_NODE_RESOURCE_DETECTORS="foo,env,bar" is invalid \(expected a list of .+, all, none\); using the others, without "foo", "bar"\.$/,
      ),
    ]);
  });
});
