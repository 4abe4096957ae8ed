import {
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { OTLP_SERVICES, type OtlpKind, toJsonShape } from './otlp-protos.js';

/** One export call as the gRPC collector saw it. */
export interface GrpcCall {
  readonly kind: OtlpKind;
  readonly metadata: Record<string, unknown>;
  readonly body: unknown;
}

/** A real gRPC server on 127.0.0.1 implementing OTLP's MetricsService and TraceService. */
export interface OtlpGrpcReceiver {
  /** `http://127.0.0.1:<port>`, as the gRPC exporters take it. */
  readonly url: string;
  readonly calls: GrpcCall[];
  close(): Promise<void>;
}

/**
 * Starts the gRPC receiver on a free loopback port (insecure credentials). `answer` gives the
 * response message of each call (default `{}`, full success), e.g. a `partialSuccess`.
 */
export async function startOtlpGrpcReceiver(
  options: { answer?: (kind: OtlpKind, index: number) => unknown } = {},
): Promise<OtlpGrpcReceiver> {
  const calls: GrpcCall[] = [];
  const server = new Server();
  for (const kind of ['metrics', 'traces'] as const) {
    const { path, request, response } = OTLP_SERVICES[kind];
    const definition = {
      Export: {
        path,
        requestStream: false,
        responseStream: false,
        requestSerialize: (value: unknown) => Buffer.from(request.encode(value).finish()),
        requestDeserialize: (bytes: Buffer) => request.decode(bytes),
        responseSerialize: (value: unknown) => Buffer.from(response.encode(value).finish()),
        responseDeserialize: (bytes: Buffer) => response.decode(bytes),
        originalName: 'Export',
      },
    };
    const implementation: UntypedServiceImplementation = {
      Export: (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        const index = calls.push({
          kind,
          metadata: call.metadata.getMap(),
          body: toJsonShape(request, call.request),
        });
        callback(null, options.answer?.(kind, index - 1) ?? {});
      },
    };
    server.addService(definition, implementation);
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        setTimeout(() => server.forceShutdown(), 1000).unref();
      }),
  };
}
