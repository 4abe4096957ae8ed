import { describeEvent, type MetricChange } from '@mvx-metrics/core';
import {
  type Attributes as OtelAttributes,
  type Span,
  type SpanContext,
  SpanKind,
  TraceFlags,
  type Tracer,
} from '@opentelemetry/api';
import type { EpochClock } from '../internal/clock.js';
import { CapturedContext } from './context-capture.js';

/** Attribute listing the metrics that accepted the event a span stands for. */
export const METRICS_ATTRIBUTE = 'mvx.metrics';

/** The span of one registered event, open while its metrics accept it. */
interface OpenSpan {
  span: Span;
  event: object;
  captured: CapturedContext;
  attributes: OtelAttributes;
  metrics: unknown[];
  names: string[];
  /** The span's context when it is sampled (what an exemplar points at), else `undefined`. */
  sampled: SpanContext | undefined;
}

/** What a recorder's spans read of its mirror: the attributes every series of the recorder carries. */
export interface SpanAttributesSource {
  readonly extraAttributes: OtelAttributes;
}

/** Per-recorder span maker: one span per accepted event, however many metrics accepted it. */
export interface RecorderSpans {
  /** Opens (or extends) the event's span; returns its context when sampled, for exemplars. */
  onChange(change: MetricChange): SpanContext | undefined;
  /** Ends the span being gathered (end of a processing batch, detach). */
  flush(): void;
}

/**
 * Turns accepted events into short child spans of the span active at registration. The metrics
 * that accept one event fire the hook one after the other, so a span is opened at the first of
 * them (its id is known at once, for exemplars) and ended when another event comes, the same
 * metric fires again (the same event object registered twice) or the batch ends.
 */
export class EventSpans {
  constructor(
    private readonly tracer: Tracer,
    private readonly clock: EpochClock,
  ) {}

  forRecorder(mirror: SpanAttributesSource): RecorderSpans {
    let open: OpenSpan | undefined;
    const flush = (): void => {
      if (open === undefined) return;
      const done = open;
      open = undefined;
      done.attributes[METRICS_ATTRIBUTE] = done.names;
      done.span.setAttributes(done.attributes);
      done.span.end(Math.max(this.clock(), done.captured.time));
    };
    return {
      flush,
      onChange: (change) => {
        const captured = change.context;
        if (!(captured instanceof CapturedContext)) return undefined;
        if (
          open === undefined ||
          open.event !== change.event ||
          open.captured !== captured ||
          open.metrics.includes(change.metric)
        ) {
          flush();
          const span = this.tracer.startSpan(
            describeEvent(change.event),
            { kind: SpanKind.INTERNAL, startTime: captured.time },
            captured.context,
          );
          const context = span.spanContext();
          open = {
            span,
            event: change.event,
            captured,
            attributes: { ...mirror.extraAttributes },
            metrics: [],
            names: [],
            sampled: (context.traceFlags & TraceFlags.SAMPLED) === 0 ? undefined : context,
          };
        }
        const pointAttributes = change.attributes;
        if (pointAttributes !== undefined) Object.assign(open.attributes, pointAttributes);
        Object.assign(open.attributes, mirror.extraAttributes);
        open.metrics.push(change.metric);
        open.names.push(change.metric.name);
        return open.sampled;
      },
    };
  }
}
