import { describe } from 'vitest';
import { otelLineTests } from './support/otel-scenario.js';

// The 2.x line on the oldest supported Node: sdk-node 0.223 pins sdk-metrics 2.12.
describe('consumer from packed tarballs: Node 20 + OpenTelemetry SDK 2.x (sdk-node 0.223)', () => {
  otelLineTests({ name: 'sdk2', node: 20, sdkNode: '0.223.0', api: '1.9.1' });
});
