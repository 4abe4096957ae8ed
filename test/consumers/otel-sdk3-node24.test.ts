import { describe } from 'vitest';
import { otelLineTests } from './support/otel-scenario.js';

// The current OpenTelemetry JS line: sdk-node 0.3xx pins sdk-metrics 3.x, which needs Node >= 22.15.
describe('consumer from packed tarballs: Node 24 + OpenTelemetry SDK 3.x (sdk-node 0.301)', () => {
  otelLineTests({ name: 'sdk3', node: 24, sdkNode: '0.301.0', api: '1.10.0' });
});
