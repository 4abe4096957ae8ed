import { describeEvent, type MetricChange } from '@mvx-metrics/core';
import { type Attributes as OtelAttributes, SpanKind, type Tracer } from '@opentelemetry/api';
import type { EpochClock } from '../internal/clock.js';
import type { RecorderMirror } from '../mirror/recorder-mirror.js';
import { CapturedContext } from './context-capture.js';

/** Attribute listing the metrics that accepted the event a span stands for. */
export const METRICS_ATTRIBUTE = 'mvx.metrics';

/** The span being gathered for one registered event while its metrics accept it. */
interface PendingSpan {
  captured: CapturedContext;
  name: string;
  attributes: OtelAttributes;
  metrics: string[];
}

/** Per-recorder span maker: one span per accepted event, however many metrics accepted it. */
export interface RecorderSpans {
  onChange(change: MetricChange): void;
  /** Ends the span being gathered (end of a processing batch, detach). */
  flush(): void;
}

/**
 * Turns accepted events into short child spans of the span active at registration. The metrics
 * that accept one event fire the hook one after the other with the same captured object, so a
 * span is gathered until the captured object changes or the batch ends.
 */
export class EventSpans {
  constructor(
    private readonly tracer: Tracer,
    private readonly clock: EpochClock,
  ) {}

  forRecorder(mirror: RecorderMirror): RecorderSpans {
    let pending: PendingSpan | undefined;
    const flush = (): void => {
      if (pending === undefined) return;
      const done = pending;
      pending = undefined;
      done.attributes[METRICS_ATTRIBUTE] = done.metrics;
      const span = this.tracer.startSpan(
        done.name,
        { kind: SpanKind.INTERNAL, startTime: done.captured.time, attributes: done.attributes },
        done.captured.context,
      );
      span.end(Math.max(this.clock(), done.captured.time));
    };
    return {
      flush,
      onChange: (change) => {
        const captured = change.context;
        if (!(captured instanceof CapturedContext)) return;
        if (pending === undefined || pending.captured !== captured) {
          flush();
          pending = {
            captured,
            name: describeEvent(change.event),
            attributes: { ...mirror.extraAttributes },
            metrics: [],
          };
        }
        const pointAttributes = change.attributes;
        if (pointAttributes !== undefined) Object.assign(pending.attributes, pointAttributes);
        Object.assign(pending.attributes, mirror.extraAttributes);
        pending.metrics.push(change.metric.name);
      },
    };
  }
}
