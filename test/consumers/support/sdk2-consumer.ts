import { inject } from 'vitest';
import { type Consumer, sharedConsumer } from './consumer.js';
import { nodeBinary } from './nodes.js';
import { OTEL_SDK2_PACKAGES } from './sdk2-packages.js';

/**
 * One consumer project of the SDK 2.x line (which runs on every supported Node), installed by npm
 * on Node 20 from the packed tarballs, once per run for the files that load it as users do:
 * module-formats.test.ts (ESM, CommonJS and TypeScript consumers on Node 20, 22 and 24, Vitest)
 * and runtimes.test.ts (Bun, Deno, `node --test`). Each writes files of its own names into it
 * (the TypeScript variants in folders with their own package.json `type`).
 */
export function sdk2Consumer(): Promise<Consumer> {
  const tarballs = inject('tarballs');
  return sharedConsumer(inject('consumersRoot'), 'sdk2', {
    node: nodeBinary(20),
    packageJson: {
      type: 'module',
      dependencies: {
        '@mvx-metrics/core': `file:${tarballs.core}`,
        '@mvx-metrics/otel-bridge': `file:${tarballs.bridge}`,
        ...OTEL_SDK2_PACKAGES,
        // http/protobuf, the OTLP protocol the pipeline picks by default (runtimes' pipeline.mjs)
        '@opentelemetry/exporter-metrics-otlp-proto': '0.223.0',
        '@opentelemetry/exporter-trace-otlp-proto': '0.223.0',
      },
      // @types/node: the TypeScript consumers, and Deno, which type-checks against the packages'
      // declarations (they use Node's types).
      devDependencies: { typescript: '5.9.3', '@types/node': '^20.19.0', vitest: '4.1.12' },
    },
  });
}
