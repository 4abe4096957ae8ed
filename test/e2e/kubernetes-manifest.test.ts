import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MetricsRuntime } from '@mvx-metrics/core';
import { attachOtelBridge } from '@mvx-metrics/otel-bridge';
import { createOtelPipeline } from '@mvx-metrics/otel-bridge/pipeline';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseConfig } from '../../packages/examples/src/config.js';
import { DEPLOY_DIR } from './support/dashboard.js';

// The Kubernetes OpenAPI definitions as kubernetes-models ships them: one JSON-schema validator
// per kind, compiled with Ajv from the Kubernetes OpenAPI document (no network, no cluster).
const MANIFEST = join(DEPLOY_DIR, 'kubernetes/document-storage.yaml');

// biome-ignore lint/suspicious/noExplicitAny: manifests are plain YAML
type Json = any;

function documents(text: string): Json[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) throw doc.errors[0];
    return doc.toJS();
  });
}

/** Validates one manifest object against the schema of its kind; throws the schema's errors. */
function validate(manifest: Json): void {
  const models: Record<string, new (data: Json) => { validate(): void }> = {
    'apps/v1 Deployment': Deployment,
    'v1 Service': Service,
  };
  const Model = models[`${manifest.apiVersion} ${manifest.kind}`];
  if (Model === undefined) throw new Error(`no schema for ${manifest.apiVersion} ${manifest.kind}`);
  new Model(manifest).validate();
}

const [deployment, service] = documents(readFileSync(MANIFEST, 'utf8'));

describe('the Kubernetes manifest of the example service', () => {
  it('holds a Deployment and a Service, each valid against the Kubernetes OpenAPI schema', () => {
    expect([deployment?.kind, service?.kind]).toEqual(['Deployment', 'Service']);
    expect(() => validate(deployment)).not.toThrow();
    expect(() => validate(service)).not.toThrow();
  });

  it('is checked by a validator that bites: broken copies are rejected', () => {
    const broken: Array<[string, (d: Json) => void]> = [
      ['no selector', (d) => delete d.spec.selector],
      [
        'probe port an object',
        (d) => (d.spec.template.spec.containers[0].readinessProbe.httpGet.port = {}),
      ],
      ['replicas a string', (d) => (d.spec.replicas = 'two')],
      ['containers not a list', (d) => (d.spec.template.spec.containers = { name: 'x' })],
      ['no container image name', (d) => delete d.spec.template.spec.containers[0].name],
    ];
    for (const [what, breakIt] of broken) {
      const copy = structuredClone(deployment);
      breakIt(copy);
      expect(() => validate(copy), what).toThrow();
    }
    const badService = structuredClone(service);
    badService.spec.ports[0].port = 'eighty';
    expect(() => validate(badService)).toThrow();
  });

  it('probes the paths and port the pipeline serves, and every named port exists', () => {
    const pod = deployment.spec.template;
    const [container] = pod.spec.containers;
    const ports = new Map<string, number>(
      container.ports.map((p: Json) => [p.name, p.containerPort]),
    );
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(container.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    // The example's defaults are the ports the manifest names.
    const defaults = parseConfig([], {});
    expect(ports.get('metrics')).toBe(defaults.metricsPort);
    expect(ports.get('http')).toBe(defaults.port);
    for (const port of service.spec.ports) expect(ports.has(port.targetPort)).toBe(true);
    // The Service selects the pods; the selector matches the template.
    for (const [key, value] of Object.entries(service.spec.selector)) {
      expect(pod.metadata.labels[key]).toBe(value);
    }
    for (const [key, value] of Object.entries(deployment.spec.selector.matchLabels)) {
      expect(pod.metadata.labels[key]).toBe(value);
    }
    // Prometheus scrape annotations on the pods and the Service, pointing at /metrics.
    for (const annotations of [pod.metadata.annotations, service.metadata.annotations]) {
      expect(annotations).toEqual({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(ports.get('metrics')),
        'prometheus.io/path': '/metrics',
      });
    }
    // The process must be told to listen beyond loopback, or every probe fails.
    const env = Object.fromEntries(container.env.map((e: Json) => [e.name, e.value]));
    expect(env.SERVICE_HOST).toBe('0.0.0.0');
    expect(env.METRICS_HOST).toBe('0.0.0.0');
  });

  it('names paths a running pipeline answers 200 on, and /metrics that serves the runtime state', async () => {
    const pipeline = await createOtelPipeline({
      serviceName: 'manifest-check',
      prometheus: { host: '127.0.0.1', port: 0 },
      otlp: false,
      registerGlobals: false,
    });
    const runtime = new MetricsRuntime({ namespace: 'docs', onError: () => {} });
    const bridge = attachOtelBridge(runtime, { meterProvider: pipeline.meterProvider });
    runtime.start();
    try {
      const origin = new URL(pipeline.prometheusUrl as string).origin;
      const [container] = deployment.spec.template.spec.containers;
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        const response = await fetch(`${origin}${container[probe].httpGet.path}`);
        expect(response.status, probe).toBe(200);
      }
      const path = deployment.spec.template.metadata.annotations['prometheus.io/path'];
      const text = await (await fetch(`${origin}${path}`)).text();
      expect(text).toMatch(/^mvx_runtime_state\{[^}]*state="running"[^}]*\} 1$/m);
    } finally {
      bridge.detach();
      await runtime.shutdown();
      await pipeline.shutdown();
    }
  });
});
