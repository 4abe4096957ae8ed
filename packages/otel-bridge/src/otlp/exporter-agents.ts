import { readFileSync } from 'node:fs';
import type { Agent } from 'node:http';
import type { Duplex } from 'node:stream';

// The OTLP/HTTP exporters send through a keep-alive agent of their own making, which nobody can
// close: a request to a collector that never answers holds its socket (and the process) until the
// exporter's own timeout, long after the pipeline's shutdown resolved. The pipeline hands them
// agents made here instead (`httpAgentOptions` as a factory, their public option) and closes them
// at the end of shutdown: every socket is destroyed, and a request made later fails at once
// instead of connecting. The agents are made as the exporters make theirs (keep-alive, and for
// https the certificate variables the exporter reads), so nothing else changes.

/** Why a request through a closed agent failed; without an errno `code` the exporter never retries it. */
export class ExporterClosedError extends Error {
  constructor() {
    super('the OTLP exporter was shut down');
    this.name = 'ExporterClosedError';
  }
}

type Signal = 'METRICS' | 'TRACES';

/** The agents of one pipeline's OTLP/HTTP exporters. */
export class ExporterAgents {
  private readonly agents = new Set<Agent>();
  private closed = false;

  /** An agent factory for the exporter of `signal`, as the exporters take it (`httpAgentOptions`). */
  factory(signal: Signal): (protocol: string) => Promise<Agent> {
    return async (protocol) => {
      const secure = protocol !== 'http:';
      const { Agent: AgentClass } = secure ? await import('node:https') : await import('node:http');
      const agent: Agent = new AgentClass({ keepAlive: true, ...(secure ? tlsFiles(signal) : {}) });
      this.adopt(agent);
      return agent;
    };
  }

  /** Destroys every socket of every agent; later requests fail without connecting. Idempotent. */
  close(): void {
    this.closed = true;
    for (const agent of this.agents) closeAgent(agent);
  }

  private adopt(agent: Agent): void {
    const connect = agent.createConnection.bind(agent);
    agent.createConnection = ((
      options: unknown,
      callback: (error: Error | null, socket?: Duplex) => void,
    ) => {
      if (!this.closed) return connect(options as never, callback);
      callback(new ExporterClosedError());
      return undefined;
    }) as Agent['createConnection'];
    this.agents.add(agent);
    if (this.closed) closeAgent(agent);
  }
}

function closeAgent(agent: Agent): void {
  for (const list of Object.values(agent.sockets)) {
    for (const socket of list ?? []) socket.destroy(new ExporterClosedError());
  }
  agent.destroy(); // the idle keep-alive sockets
}

// The files OpenTelemetry's OTLP/HTTP exporters read for https (signal-specific variable first).
function tlsFiles(signal: Signal): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const read = (suffix: string) => {
    const path =
      process.env[`OTEL_EXPORTER_OTLP_${signal}_${suffix}`]?.trim() ||
      process.env[`OTEL_EXPORTER_OTLP_${suffix}`]?.trim();
    if (!path) return undefined;
    try {
      return readFileSync(path);
    } catch {
      return undefined; // as the exporter does (it tells diag); the handshake then reports it
    }
  };
  const files = {
    ca: read('CERTIFICATE'),
    cert: read('CLIENT_CERTIFICATE'),
    key: read('CLIENT_KEY'),
  };
  return Object.fromEntries(Object.entries(files).filter(([, v]) => v !== undefined));
}
