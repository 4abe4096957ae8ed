// The pipeline's own /metrics server at its edges: the refusal of a port in use and of an address
// this host does not have (its code, words and cause), and a server bound to the host it was given
// only. Loopback only: the one other address, 192.0.2.1 (TEST-NET-1, RFC 5737), is one no host
// has, so its bind fails at once and nothing is opened or sent.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { MetricsWiringError } from '@mvx-metrics/core';
import { describe, expect, it } from 'vitest';
import { listenPrometheus } from './prometheus-server.js';

const handler = () => {};

async function occupied(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function refusal(host: string | undefined, port: number): Promise<MetricsWiringError> {
  try {
    const server = await listenPrometheus(handler, host, port, '/metrics');
    await server.close();
  } catch (error) {
    return error as MetricsWiringError;
  }
  throw new Error('listenPrometheus did not refuse');
}

/** Whether a TCP connection to `host:port` is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('listenPrometheus: refusals', () => {
  it('refuses a port in use as invalid-option, naming the host and port, with the cause', async () => {
    const { server, port } = await occupied();
    try {
      const error = await refusal('127.0.0.1', port);
      expect(error).toBeInstanceOf(MetricsWiringError);
      expect(error.code).toBe('invalid-option');
      expect(error.message).toBe(
        `createOtelPipeline: the Prometheus port ${port} is already in use (127.0.0.1 port ${port}). Stop the other process, or pass prometheus: { port: <another port> } (0 picks a free one), or prometheus: false.`,
      );
      expect((error.cause as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('refuses an address this host does not have in other words, with the system’s message', async () => {
    const error = await refusal('192.0.2.1', 0);
    expect(error).toBeInstanceOf(MetricsWiringError);
    expect(error.code).toBe('invalid-option');
    const cause = error.cause as NodeJS.ErrnoException;
    expect(cause.code).toBe('EADDRNOTAVAIL');
    expect(error.message).toBe(
      `createOtelPipeline: cannot serve Prometheus metrics on 192.0.2.1 port 0: ${cause.message}. Pass prometheus: { host, port } that this process may bind, or prometheus: false.`,
    );
  });
});

describe('listenPrometheus: where it listens', () => {
  it('listens on the host it was given only, and says so in its URL', async () => {
    const server = await listenPrometheus(handler, '127.0.0.1', 0, '/metrics');
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
      expect(await accepts('127.0.0.1', server.port)).toBe(true);
      // another loopback address: answered only by a server on every interface
      expect(await accepts('127.0.0.2', server.port)).toBe(false);
    } finally {
      await server.close();
    }
  });
});
