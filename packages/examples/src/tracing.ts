import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type TextMapPropagator,
  type Tracer,
} from '@opentelemetry/api';
import type { RequestHook } from './http/document-server.js';
import { requestMethod } from './metrics/http-metrics.js';

/**
 * One SERVER span per request, active while it is handled, so event spans have a parent. An
 * incoming W3C `traceparent` / `tracestate` is extracted with the pipeline's propagator, so the
 * span joins the caller's trace.
 */
export function requestSpans(tracer: Tracer, propagator: TextMapPropagator): RequestHook {
  return (request, handle) => {
    const parent = propagator.extract(ROOT_CONTEXT, request.headers, headerGetter);
    const method = requestMethod(request.method);
    return tracer.startActiveSpan(
      request.route === undefined ? method : `${method} ${request.route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': method,
          ...(request.route === undefined ? {} : { 'http.route': request.route }),
          'url.path': request.path,
          ...(request.connection === undefined ? {} : { 'example.connection': request.connection }),
        },
      },
      parent,
      async (span) => {
        try {
          const status = await handle();
          span.setAttribute('http.response.status_code', status);
          if (status >= 500) {
            span.setAttribute('error.type', String(status));
            span.setStatus({ code: SpanStatusCode.ERROR });
          }
        } finally {
          span.end();
        }
      },
    );
  };
}

// Node's incoming headers: lower-case keys, repeated headers as arrays.
const headerGetter = {
  keys: (carrier: NodeJS.Dict<string | string[]>) => Object.keys(carrier),
  get: (carrier: NodeJS.Dict<string | string[]>, key: string) => carrier[key.toLowerCase()],
};
