import { randomUUID } from 'node:crypto';
import { MetricsWiringError } from '@mvx-metrics/core';
import type { Attributes } from '@opentelemetry/api';
import {
  type DetectedResourceAttributes,
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  osDetector,
  processDetector,
  type Resource,
  type ResourceDetector,
  resourceFromAttributes,
  serviceInstanceIdDetector,
} from '@opentelemetry/resources';
import { type PipelineEnvironment, withoutNames } from './environment.js';
import type { OtelPipelineOptions } from './options.js';

const SERVICE_NAME = 'service.name';
const SERVICE_INSTANCE_ID = 'service.instance.id';

// NodeSDK's detectors by name (OTEL_NODE_RESOURCE_DETECTORS) and its default set. The process
// detector's command line is redacted (see `redacting`).
function detectorsByName(redact: (text: string) => string): Map<string, ResourceDetector> {
  return new Map<string, ResourceDetector>([
    ['env', envDetector],
    ['host', hostDetector],
    ['os', osDetector],
    ['process', redacting(processDetector, redact)],
    ['serviceinstance', serviceInstanceIdDetector],
  ]);
}
const DEFAULT_DETECTORS = ['env', 'process', 'host'];

/**
 * The resource as NodeSDK builds it — the SDK's defaults, then the detectors
 * (`OTEL_RESOURCE_ATTRIBUTES`, `OTEL_SERVICE_NAME`, process, host) — with the options merged
 * over it (`resource`, then `serviceName` and `serviceInstanceId`). `service.instance.id`
 * defaults to a random UUID, so each instance of a scaled-out service is its own series.
 */
export async function buildResource(
  options: OtelPipelineOptions,
  env: PipelineEnvironment,
  redact: (text: string) => string,
): Promise<Resource> {
  const detected = detectResources({ detectors: detectorsFromEnv(env, redact) });
  reportMalformedAttributes(env);
  let resource = defaultResource().merge(detected);
  if (options.resource !== undefined) resource = resource.merge(asResource(options.resource));
  const explicit: Attributes = {};
  if (options.serviceName !== undefined) explicit[SERVICE_NAME] = options.serviceName;
  if (options.serviceInstanceId !== undefined) {
    explicit[SERVICE_INSTANCE_ID] = options.serviceInstanceId;
  }
  resource = resource.merge(resourceFromAttributes(explicit));
  await resource.waitForAsyncAttributes?.();
  if (resource.attributes[SERVICE_INSTANCE_ID] === undefined) {
    resource = resource.merge(resourceFromAttributes({ [SERVICE_INSTANCE_ID]: randomUUID() }));
  }
  if (!hasServiceName(options, resource)) {
    throw new MetricsWiringError(
      'invalid-option',
      'createOtelPipeline needs a service name: pass { serviceName }, or set OTEL_SERVICE_NAME (or service.name in OTEL_RESOURCE_ATTRIBUTES).',
    );
  }
  return resource;
}

function detectorsFromEnv(
  env: PipelineEnvironment,
  redact: (text: string) => string,
): ResourceDetector[] {
  const detectors = detectorsByName(redact);
  const names = env.list('OTEL_NODE_RESOURCE_DETECTORS');
  if (names === undefined) return DEFAULT_DETECTORS.flatMap((name) => detectors.get(name) ?? []);
  if (names.includes('all')) return [...detectors.values()];
  if (names.includes('none')) return [];
  const raw = env.string('OTEL_NODE_RESOURCE_DETECTORS') ?? '';
  const unknown = names.filter((name) => !detectors.has(name));
  if (unknown.length > 0) {
    env.invalid(
      'OTEL_NODE_RESOURCE_DETECTORS',
      raw,
      `a list of ${[...detectors.keys(), 'all', 'none'].join(', ')}`,
      withoutNames(unknown),
    );
  }
  return names.flatMap((name) => detectors.get(name) ?? []);
}

// The env detector discards the whole variable on any malformed entry (the specification's
// rule) and tells only `diag`: a non-empty value that yields no attribute was malformed.
function reportMalformedAttributes(env: PipelineEnvironment): void {
  const raw = env.string('OTEL_RESOURCE_ATTRIBUTES');
  if (raw === undefined || raw.split(',').every((entry) => entry.trim() === '')) return;
  const saved = process.env.OTEL_SERVICE_NAME;
  delete process.env.OTEL_SERVICE_NAME;
  try {
    const parsed = envDetector.detect().attributes ?? {};
    if (Object.keys(parsed).length === 0) {
      env.invalid(
        'OTEL_RESOURCE_ATTRIBUTES',
        raw,
        'comma-separated key=value pairs, with "," and "=" percent-encoded',
        'no attribute from it',
      );
    }
  } finally {
    if (saved !== undefined) process.env.OTEL_SERVICE_NAME = saved;
  }
}

/**
 * `detector` with every string it detects redacted. The process detector puts the command line
 * into `process.command_args` (NodeSDK's default, kept: an OpenTelemetry user expects it), which
 * reaches `target_info` on /metrics and every OTLP export: a flag such as
 * `--otlp-endpoint http://user:password@host` would carry its credentials there.
 */
function redacting(detector: ResourceDetector, redact: (text: string) => string): ResourceDetector {
  return {
    detect(config) {
      const detected = detector.detect(config);
      const attributes = detected.attributes;
      if (attributes === undefined) return detected;
      const out: DetectedResourceAttributes = {};
      for (const [key, value] of Object.entries(attributes)) out[key] = redactValue(value, redact);
      return { ...detected, attributes: out };
    },
  };
}

function redactValue<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) {
    return value.map((item) => (typeof item === 'string' ? redact(item) : item)) as T;
  }
  if (value instanceof Promise) return value.then((v) => redactValue(v, redact)) as T;
  return value;
}

function asResource(value: Resource | Attributes): Resource {
  const candidate = value as Partial<Resource>;
  return typeof candidate.merge === 'function' && typeof candidate.getRawAttributes === 'function'
    ? (value as Resource)
    : resourceFromAttributes(value as Attributes);
}

// `defaultResource()` always carries `unknown_service:<process>`: that is not a name we were given.
function hasServiceName(options: OtelPipelineOptions, resource: Resource): boolean {
  if (typeof options.serviceName === 'string') return options.serviceName !== '';
  const name = resource.attributes[SERVICE_NAME];
  return typeof name === 'string' && name !== '' && !name.startsWith('unknown_service');
}
