import { setTimeout as sleep } from 'node:timers/promises';

/** Where document bytes live. The example keeps them in memory; a real service would use a disk or a database. */
export interface DocumentBackend {
  write(id: string, content: Uint8Array): Promise<void>;
  read(id: string): Promise<Uint8Array | undefined>;
  /** Resolves `true` if the document existed. */
  remove(id: string): Promise<boolean>;
}

/** A backend that keeps every document in a `Map`. */
export class InMemoryBackend implements DocumentBackend {
  readonly #documents = new Map<string, Uint8Array>();

  async write(id: string, content: Uint8Array): Promise<void> {
    this.#documents.set(id, content);
  }

  async read(id: string): Promise<Uint8Array | undefined> {
    return this.#documents.get(id);
  }

  async remove(id: string): Promise<boolean> {
    return this.#documents.delete(id);
  }
}

/** Options of {@link SimulatedBackend}. */
export interface SimulatedBackendOptions {
  /** Milliseconds each call waits before reaching the inner backend (default: none). */
  delayMs?: () => number;
  /** Writes of ids for which this returns `true` fail, as a broken disk would. */
  failWrite?: (id: string) => boolean;
}

/** The error a {@link SimulatedBackend} throws for an injected write failure. */
export class BackendWriteError extends Error {
  constructor(id: string) {
    super(`Simulated write failure for document "${id}"`);
    this.name = 'BackendWriteError';
  }
}

/** Wraps a backend with latency and injected write failures, so the example has a realistic spread. */
export class SimulatedBackend implements DocumentBackend {
  readonly #inner: DocumentBackend;
  readonly #delayMs: (() => number) | undefined;
  readonly #failWrite: ((id: string) => boolean) | undefined;

  constructor(inner: DocumentBackend, options: SimulatedBackendOptions = {}) {
    this.#inner = inner;
    this.#delayMs = options.delayMs;
    this.#failWrite = options.failWrite;
  }

  async write(id: string, content: Uint8Array): Promise<void> {
    await this.#wait();
    if (this.#failWrite?.(id) === true) throw new BackendWriteError(id);
    await this.#inner.write(id, content);
  }

  async read(id: string): Promise<Uint8Array | undefined> {
    await this.#wait();
    return this.#inner.read(id);
  }

  async remove(id: string): Promise<boolean> {
    await this.#wait();
    return this.#inner.remove(id);
  }

  async #wait(): Promise<void> {
    const ms = this.#delayMs?.() ?? 0;
    if (ms > 0) await sleep(ms);
  }
}

/**
 * A latency model for the simulated disk: mostly a few milliseconds, with a slow tail, so the
 * latency histogram and its percentiles have something to show.
 */
export function diskLikeDelay(random: () => number = Math.random): () => number {
  return () => {
    const r = random();
    if (r < 0.01) return 150 + random() * 250; // 1%: a stall
    if (r < 0.1) return 20 + random() * 60; // 9%: slow
    return 1 + random() * 9; // 90%: fast
  };
}
