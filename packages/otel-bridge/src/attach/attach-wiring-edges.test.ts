// attachOtelBridge's wiring-time answers, as the caller sees them: what it refuses (the target,
// each option, a second bridge, names that would clash on /metrics) with the error's code and
// words, and what it accepts instead (namespaces, the recorder attribute, released names).
// StrykerJS survivors of attach/ (docs/reliability.md).
import {
  counter,
  gauge,
  MetricsRecorder,
  MetricsRuntime,
  MetricsWiringError,
} from '@mvx-metrics/core';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { cleanUpAfterEach, exportedSeries, TestReader } from '../../../../test/bridge/helpers.js';
import { createMetricProducer } from '../producer/mvx-metric-producer.js';
import { attachOtelBridge } from './attach-otel-bridge.js';
import type { OtelBridgeOptions } from './types.js';

const { cleanups, errors } = cleanUpAfterEach();

function runtime(namespace = 'docs') {
  const rt = new MetricsRuntime({ namespace, scheduler: 'sync', onError: errors.onError });
  rt.start();
  cleanups.push(() => rt.shutdown());
  return rt;
}

function producerReader() {
  const producer = createMetricProducer();
  const reader = new TestReader([producer]);
  const provider = new MeterProvider({ readers: [reader] });
  cleanups.push(() => provider.shutdown());
  return { producer, reader };
}

/** The MetricsWiringError `attach` throws, as `{ code, message }`. */
function refusal(attach: () => unknown): { code: unknown; message: string } {
  try {
    attach();
  } catch (error) {
    expect(error).toBeInstanceOf(MetricsWiringError);
    const { code, message } = error as MetricsWiringError;
    return { code, message };
  }
  throw new Error('expected a MetricsWiringError, nothing was thrown');
}

const attached = (...args: Parameters<typeof attachOtelBridge>) => {
  const bridge = attachOtelBridge(...args);
  cleanups.push(bridge.detach);
  return bridge;
};

describe('attachOtelBridge refuses', () => {
  it.each([
    ['null', null],
    ['a number', 5],
    ['a plain object', {}],
    ['an object whose setContextCapture is no function', { setContextCapture: true }],
    ['a function carrying setContextCapture', Object.assign(() => {}, { setContextCapture() {} })],
  ])('a target that is %s, naming what it needs', (_, target) => {
    expect(refusal(() => attachOtelBridge(target as never))).toEqual({
      code: 'invalid-option',
      message:
        'attachOtelBridge needs a MetricsRuntime or a MetricsRecorder as its first argument.',
    });
  });

  it('a target whose present recorders clash, leaving nothing attached (producer path)', async () => {
    const rt = runtime();
    const { producer } = producerReader();
    rt.createRecorder('r1', { metrics: () => [counter({ name: 'x', on: 'x' })] });
    rt.createRecorder('r2', { metrics: () => [gauge({ name: 'x', on: 'x', value: () => 1 })] });
    expect(refusal(() => attachOtelBridge(rt, { metricProducer: producer })).code).toBe(
      'duplicate-metric',
    );
    // nothing attached: once the clash is gone, a bridge attaches
    await rt.removeRecorder('r2');
    attached(rt, { metricProducer: producer });
  });

  it('a detach called again after another bridge was attached leaves that bridge alone', () => {
    const rt = runtime();
    const { producer } = producerReader();
    const first = attachOtelBridge(rt, { metricProducer: producer });
    first.detach();
    attached(rt, { metricProducer: producer });
    first.detach(); // stale: must not undo the second bridge
    expect(refusal(() => attachOtelBridge(rt, { metricProducer: producer })).message).toContain(
      'already has a bridge attached',
    );
  });

  it('leaves the target’s own context capture alone with captureContext: false, attach to detach', () => {
    const rt = runtime();
    const { producer } = producerReader();
    rt.setContextCapture(() => 'mine');
    const recorder = rt.createRecorder('r', {
      metrics: () => [counter({ name: 'hits', on: 'hit' })],
    });
    const seen: unknown[] = [];
    recorder.onChange((change) => seen.push(change.context), { withContext: true });
    const bridge = attachOtelBridge(rt, {
      metricProducer: producer,
      captureContext: false,
      spans: true,
    });
    recorder.registerEvent({ type: 'hit' });
    bridge.detach();
    recorder.registerEvent({ type: 'hit' });
    expect(seen).toEqual(['mine', 'mine']);
  });

  it('a second bridge on one target, until the first is detached', () => {
    const rt = runtime();
    const { producer } = producerReader();
    const first = attachOtelBridge(rt, { metricProducer: producer });
    expect(refusal(() => attachOtelBridge(rt, { metricProducer: producer }))).toEqual({
      code: 'invalid-option',
      message:
        'attachOtelBridge: this runtime/recorder already has a bridge attached; detach() it first (two bridges would export every series twice).',
    });
    first.detach();
    first.detach(); // twice: nothing more to undo
    attached(rt, { metricProducer: producer });
  });

  it('a recorder bridged through its runtime, or on its own, naming where the first bridge is', () => {
    const rt = runtime();
    const { producer } = producerReader();
    const r = rt.createRecorder('r', { metrics: () => [counter({ name: 'hits', on: 'hit' })] });
    const throughRuntime = attachOtelBridge(rt, { metricProducer: producer });
    expect(refusal(() => attachOtelBridge(r, { metricProducer: producer }))).toEqual({
      code: 'invalid-option',
      message:
        'attachOtelBridge: recorder "r" already has a bridge (attached to its runtime "docs"); a second one would export every series and the self-telemetry twice. detach() the first one, or attach once to the runtime.',
    });
    throughRuntime.detach();
    attached(r, { metricProducer: producer });
    expect(refusal(() => attachOtelBridge(rt, { metricProducer: producer })).message).toContain(
      'recorder "r" already has a bridge (attached to recorder "r" itself)',
    );
  });

  it.each([
    ['an empty string', '', '""'],
    ['true', true, 'true'],
    ['a number', 5, '5'],
  ])('a recorderAttribute that is %s', (_, recorderAttribute, shown) => {
    const { producer } = producerReader();
    expect(
      refusal(() =>
        attachOtelBridge(runtime(), {
          metricProducer: producer,
          recorderAttribute: recorderAttribute as never,
        }),
      ),
    ).toEqual({
      code: 'invalid-option',
      message: `attachOtelBridge: recorderAttribute must be a non-empty string or false, got ${shown}.`,
    });
  });

  it.each([
    ['with a space', 'my shop', '"my shop"'],
    ['empty', '', '""'],
    ['a number', 7, '7'],
  ])('a bare recorder’s namespace %s', (_, namespace, shown) => {
    const { producer } = producerReader();
    const recorder = new MetricsRecorder('solo', { scheduler: 'sync' });
    cleanups.push(() => recorder.stop());
    expect(
      refusal(() =>
        attachOtelBridge(recorder, { metricProducer: producer, namespace: namespace as never }),
      ),
    ).toEqual({
      code: 'invalid-option',
      message: `attachOtelBridge: namespace must use OpenTelemetry instrument-name syntax, got ${shown}.`,
    });
  });

  it.each<[string, OtelBridgeOptions, string]>([
    [
      'an exemplar filter it does not know',
      { exemplarFilter: 'sometimes' as never },
      "option `exemplarFilter` must be 'trace_based', 'always_on' or 'always_off', got \"sometimes\".",
    ],
    [
      'a metricProducer of another class',
      { metricProducer: { collect: () => undefined } as never },
      "option `metricProducer` must come from createMetricProducer() or a pipeline's metricProducer, got an object.",
    ],
    [
      'a captureContext that is no boolean',
      { captureContext: 'yes' as never },
      'option `captureContext` must be `true` or `false`, got "yes".',
    ],
    [
      'a meterProvider without getMeter',
      { meterProvider: {} as never },
      'option `meterProvider` must be an object with getMeter(), got an object.',
    ],
  ])('%s, naming the option', (_, options, words) => {
    const message = refusal(() => attachOtelBridge(runtime(), options)).message;
    expect(message.replace(/got .*\.$/, (got) => got.replace(/\{.*\}/, 'an object'))).toBe(
      `attachOtelBridge: ${words}`,
    );
  });

  it('a metricProducer whose class cannot even be asked (a revoked Proxy)', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const { code, message } = refusal(() =>
      attachOtelBridge(runtime(), { metricProducer: proxy as never }),
    );
    expect(code).toBe('invalid-option');
    expect(message).toMatch(
      /^attachOtelBridge: option `metricProducer` must come from createMetricProducer\(\)/,
    );
  });
});

describe('attachOtelBridge names', () => {
  it('a bare recorder’s series under its namespace option, else `mvx`; a runtime’s under the runtime’s own', async () => {
    const scopes = async (target: MetricsRecorder | MetricsRuntime, namespace?: string) => {
      const { producer, reader } = producerReader();
      const bridge = attachOtelBridge(target, {
        metricProducer: producer,
        selfTelemetry: false,
        ...(namespace === undefined ? {} : { namespace }),
      });
      try {
        return exportedSeries(await reader.read()).map((s) => `${s.scope} ${s.name}`);
      } finally {
        bridge.detach();
      }
    };
    const recorder = new MetricsRecorder('solo', {
      scheduler: 'sync',
      metrics: [counter({ name: 'hits', on: 'hit' })],
    });
    recorder.start();
    cleanups.push(() => recorder.stop());
    recorder.registerEvent({ type: 'hit' });
    expect(await scopes(recorder)).toEqual(['mvx mvx.hits']);
    expect(await scopes(recorder, 'shop')).toEqual(['shop shop.hits']);
    const rt = runtime('docs');
    rt.createRecorder('r', { metrics: () => [counter({ name: 'hits', on: 'hit' })] }).registerEvent(
      {
        type: 'hit',
      },
    );
    expect(await scopes(rt, 'shop')).toEqual(['docs docs.hits']);
  });

  it('each series with the recorder attribute it is given, none with `false`', async () => {
    const attributesWith = async (recorderAttribute?: string | false) => {
      const rt = runtime();
      const { producer, reader } = producerReader();
      attached(rt, {
        metricProducer: producer,
        selfTelemetry: false,
        ...(recorderAttribute === undefined ? {} : { recorderAttribute }),
      });
      rt.createRecorder('r1', {
        metrics: () => [counter({ name: 'hits', on: 'hit' })],
      }).registerEvent({
        type: 'hit',
      });
      return exportedSeries(await reader.read()).map((s) => s.attributes);
    };
    expect(await attributesWith()).toEqual([{ recorder: 'r1' }]);
    expect(await attributesWith('source')).toEqual([{ source: 'r1' }]);
    expect(await attributesWith(false)).toEqual([{}]);
  });
});

describe('names that would clash on /metrics', () => {
  const hits = (name = 'hits') => counter({ name, on: 'hit' });

  it('one name of one kind and unit is shared by any number of recorders', async () => {
    const rt = runtime();
    const { producer, reader } = producerReader();
    attached(rt, { metricProducer: producer, selfTelemetry: false });
    rt.createRecorder('r1', { metrics: () => [hits()] }).registerEvent({ type: 'hit' });
    rt.createRecorder('r2', { metrics: () => [hits()] }).registerEvent({ type: 'hit' });
    expect(exportedSeries(await reader.read()).map((s) => s.attributes.recorder)).toEqual([
      'r1',
      'r2',
    ]);
  });

  it('one name with another kind or unit is refused, naming both recorders, kinds and units', () => {
    const rt = runtime();
    const { producer } = producerReader();
    attached(rt, { metricProducer: producer });
    rt.createRecorder('r1', { metrics: () => [hits()] });
    expect(
      refusal(() =>
        rt.createRecorder('r2', {
          metrics: () => [gauge({ name: 'hits', on: 'hit', value: () => 1 })],
        }),
      ),
    ).toEqual({
      code: 'duplicate-metric',
      message:
        'Metric "docs.hits" of recorder "r2" is a gauge without unit, but recorder "r1" already exports it as a counter without unit: one name must keep one kind and one unit; rename one of them.',
    });
    expect(
      refusal(() =>
        rt.createRecorder('r3', {
          metrics: () => [counter({ name: 'hits', on: 'hit', unit: 's' })],
        }),
      ).message,
    ).toBe(
      'Metric "docs.hits" of recorder "r3" is a counter in "s", but recorder "r1" already exports it as a counter without unit: one name must keep one kind and one unit; rename one of them.',
    );
  });

  it('two names Prometheus prints alike are refused, naming the series', () => {
    const rt = runtime();
    const { producer } = producerReader();
    attached(rt, { metricProducer: producer });
    rt.createRecorder('r1', { metrics: () => [hits('a.b')] });
    expect(refusal(() => rt.createRecorder('r2', { metrics: () => [hits('a_b')] }))).toEqual({
      code: 'duplicate-metric',
      message:
        'Metric "docs.a_b" of recorder "r2" and metric "docs.a.b" of recorder "r1" both become the Prometheus series "docs_a_b_total": rename one of them (Prometheus turns \'.\', \'-\' and \'/\' into \'_\').',
    });
    // two metrics of one recorder too
    expect(
      refusal(() => rt.createRecorder('r3', { metrics: () => [hits('c.d'), hits('c_d')] })).message,
    ).toContain('both become the Prometheus series "docs_c_d_total"');
  });

  it('one name under two scopes (two namespaces on one producer) is refused', () => {
    const { producer } = producerReader();
    const shop = runtime('shop');
    const orders = runtime('shop.orders');
    attached(shop, { metricProducer: producer });
    attached(orders, { metricProducer: producer });
    shop.createRecorder('r1', { metrics: () => [hits('orders.count')] });
    expect(refusal(() => orders.createRecorder('r2', { metrics: () => [hits('count')] }))).toEqual({
      code: 'duplicate-metric',
      message:
        'Metric "shop.orders.count" of recorder "r2" (scope "shop.orders") and recorder "r1" (scope "shop") export the same instrument name, which Prometheus would print as two families: rename one of them or change a namespace.',
    });
  });

  it('the self-telemetry’s names are taken: a metric named like them is refused', () => {
    const { producer } = producerReader();
    const rt = runtime('mvx');
    attached(rt, { metricProducer: producer });
    expect(
      refusal(() => rt.createRecorder('r', { metrics: () => [hits('recorder.events')] })),
    ).toEqual({
      code: 'duplicate-metric',
      message:
        'Metric "mvx.recorder.events" of recorder "r" (scope "mvx") and the bridge (self-telemetry) (scope "@mvx-metrics/otel-bridge") export the same instrument name, which Prometheus would print as two families: rename one of them or change a namespace.',
    });
    for (const name of ['recorder.pending', 'recorder.capacity']) {
      expect(
        refusal(() => rt.createRecorder('r', { metrics: () => [hits(name)] })).message,
      ).toContain(`"mvx.${name}" of recorder "r" (scope "mvx") and the bridge (self-telemetry)`);
    }
  });

  it('a metric whose snapshot throws is named as a gauge without unit of its own name', () => {
    const rt = runtime();
    const { producer } = producerReader();
    attached(rt, { metricProducer: producer });
    rt.createRecorder('r1', { metrics: () => [hits()] });
    const broken = {
      name: 'hits',
      handleEvent: () => false,
      snapshot: () => {
        throw new Error('no snapshot today');
      },
    };
    expect(refusal(() => rt.createRecorder('r2', { metrics: () => [broken] })).message).toBe(
      'Metric "docs.hits" of recorder "r2" is a gauge without unit, but recorder "r1" already exports it as a counter without unit: one name must keep one kind and one unit; rename one of them.',
    );
  });

  it('a Prometheus series name is free again once its metric is gone', async () => {
    const rt = runtime();
    const { producer } = producerReader();
    attached(rt, { metricProducer: producer });
    rt.createRecorder('r1', { metrics: () => [hits('a.b')] });
    await rt.removeRecorder('r1');
    expect(rt.createRecorder('r2', { metrics: () => [hits('a_b')] }).name).toBe('r2');
  });

  it('a name is free again once every recorder holding it is gone, and not before', async () => {
    const rt = runtime();
    const { producer } = producerReader();
    attached(rt, { metricProducer: producer });
    rt.createRecorder('r1', { metrics: () => [hits()] });
    rt.createRecorder('r2', { metrics: () => [hits()] });
    const clashing = () =>
      rt.createRecorder('g', {
        metrics: () => [gauge({ name: 'hits', on: 'hit', value: () => 1 })],
      });
    await rt.removeRecorder('r1');
    expect(refusal(clashing).message).toContain('already exports it as a counter');
    await rt.removeRecorder('r2');
    expect(clashing().name).toBe('g');
  });
});
