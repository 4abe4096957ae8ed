import { Agent, type ClientRequest, request } from 'node:http';
import type { SaveOutcome } from '../storage/events.js';

/** Options of {@link LoadGenerator}. */
export interface LoadGeneratorOptions {
  /** Base URL of the service, e.g. `http://127.0.0.1:8080`. */
  target: string;
  /** Requests per second (an upper bound: at most `maxInFlight` wait for answers at once). */
  rate: number;
  /** Keep-alive sockets the agent keeps open (default 4). */
  sockets?: number;
  /** A connection is closed after about this many requests, so connections come and go (default 200). */
  requestsPerConnection?: number;
  /** Default 32. */
  maxInFlight?: number;
  /** Distinct document ids in use (default 500). */
  idPool?: number;
  /** Default `Math.random`; inject a seeded one for repeatable runs. */
  random?: () => number;
  /**
   * How long {@link LoadGenerator.stop} waits for the answers still expected before it ends the
   * requests still open, each counted in `errors` (default 3000 ms, the grace the document
   * server gives its own open requests when it closes).
   */
  stopGraceMs?: number;
}

/** What the generator sent, classified by the answers it got. */
export interface LoadTotals {
  sent: number;
  /** PUTs by the save outcome the answer reports: 2xx success, 4xx invalid, 5xx failure. */
  saves: Record<SaveOutcome, number>;
  reads: { found: number; missing: number };
  deletes: { deleted: number; missing: number };
  /** Requests that got no answer (connection error or timeout). */
  errors: number;
  /** Answers outside the expected set, by status code. */
  unexpected: Record<string, number>;
}

/** One kind of request in the mix. */
export type LoadRequestKind = 'put' | 'put-invalid' | 'put-faulty' | 'get' | 'delete';
type Kind = LoadRequestKind;

/** Share of each request kind, in order; cumulative thresholds are derived from it. */
const MIX: ReadonlyArray<readonly [Kind, number]> = [
  ['put', 0.45],
  ['put-invalid', 0.025],
  ['put-faulty', 0.025],
  ['get', 0.35],
  ['delete', 0.15],
];

const TICK_MS = 50;

/** An empty {@link LoadTotals}. */
export function emptyTotals(): LoadTotals {
  return {
    sent: 0,
    saves: { success: 0, invalid: 0, failure: 0 },
    reads: { found: 0, missing: 0 },
    deletes: { deleted: 0, missing: 0 },
    errors: 0,
    unexpected: {},
  };
}

/**
 * Drives the document service with a realistic mix: saves (some invalid, some to ids the
 * simulated disk fails), reads (hits and misses) and deletes, at a bounded rate, over a
 * keep-alive agent whose connections are recycled.
 *
 * @example
 * const load = new LoadGenerator({ target: 'http://127.0.0.1:8080', rate: 50 });
 * load.start();
 * const totals = await load.stop();
 */
export class LoadGenerator {
  readonly #target: URL;
  readonly #rate: number;
  readonly #agent: Agent;
  readonly #closeChance: number;
  readonly #maxInFlight: number;
  readonly #idPool: number;
  readonly #random: () => number;
  readonly #totals = emptyTotals();
  readonly #inFlight = new Set<Promise<void>>();
  /** The requests of {@link #inFlight} that are still open, so that stop() can end them. */
  readonly #open = new Set<ClientRequest>();
  readonly #stopGraceMs: number;
  /** Ids the generator saved and has not deleted since: reads and deletes mostly aim at these. */
  readonly #known: string[] = [];
  readonly #knownIndex = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #budget = 0;
  #last = 0;
  #stopped = false;

  constructor(options: LoadGeneratorOptions) {
    this.#target = new URL(options.target);
    this.#rate = options.rate;
    const sockets = options.sockets ?? 4;
    this.#agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
    this.#closeChance = 1 / Math.max(1, options.requestsPerConnection ?? 200);
    this.#maxInFlight = options.maxInFlight ?? 32;
    this.#idPool = options.idPool ?? 500;
    this.#random = options.random ?? Math.random;
    this.#stopGraceMs = options.stopGraceMs ?? 3000;
  }

  /** A copy of the totals so far. */
  totals(): LoadTotals {
    return structuredClone(this.#totals);
  }

  /** Starts sending; idempotent. */
  start(): void {
    if (this.#timer !== undefined || this.#stopped || this.#rate <= 0) return;
    this.#last = performance.now();
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
  }

  /**
   * Stops sending, waits for the answers still expected (at most `stopGraceMs`), then ends the
   * requests still open (each counted in `errors`) and closes the connections. A service that is
   * going away may never answer a request it accepted: a node:cluster primary keeps a connection
   * it accepted for a worker that exited meanwhile (Ctrl-C reaches the workers too), and the
   * request's own 10 s timeout would outlast the example's shutdown limit.
   */
  async stop(): Promise<LoadTotals> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace over'>((resolve) => {
      graceTimer = setTimeout(() => resolve('grace over'), this.#stopGraceMs);
    });
    if ((await Promise.race([this.#settled(), graceOver])) === 'grace over') {
      for (const req of this.#open) req.destroy(new Error('no answer before the load stopped'));
      await this.#settled();
    }
    clearTimeout(graceTimer);
    this.#agent.destroy();
    return this.totals();
  }

  /** Resolves once no request is in flight (#send never rejects: failures count as errors). */
  async #settled(): Promise<'settled'> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
    return 'settled';
  }

  /** Sends one request of the given kind now (also what each tick does). */
  send(kind: Kind = this.#pickKind()): Promise<void> {
    const done = this.#send(kind).finally(() => this.#inFlight.delete(done));
    this.#inFlight.add(done);
    this.#totals.sent++;
    return done;
  }

  #tick(): void {
    const now = performance.now();
    // Budget never exceeds one second's worth: a stalled service is not hammered afterwards.
    this.#budget = Math.min(this.#rate, this.#budget + ((now - this.#last) / 1000) * this.#rate);
    this.#last = now;
    while (this.#budget >= 1 && this.#inFlight.size < this.#maxInFlight) {
      this.#budget--;
      void this.send();
    }
  }

  #pickKind(): Kind {
    let r = this.#random();
    for (const [kind, share] of MIX) {
      if (r < share) return kind;
      r -= share;
    }
    return 'get';
  }

  async #send(kind: Kind): Promise<void> {
    const id =
      (kind === 'get' && this.#random() < 0.85) || (kind === 'delete' && this.#random() < 0.7)
        ? (this.#knownId() ?? this.#anyId())
        : this.#anyId();
    let status: number;
    try {
      switch (kind) {
        case 'put':
          status = await this.#request('PUT', id, this.#content(200 + this.#random() * 8000));
          if (status === 200 || status === 201) this.#remember(id);
          break;
        case 'put-faulty':
          status = await this.#request('PUT', `faulty-${id}`, this.#content(500));
          break;
        case 'put-invalid':
          status = await this.#request(...this.#invalidPut(id));
          break;
        case 'get':
          status = await this.#request('GET', id);
          break;
        case 'delete':
          status = await this.#request('DELETE', id);
          this.#forget(id);
          break;
      }
    } catch {
      this.#totals.errors++;
      return;
    }
    this.#count(kind, status);
  }

  #anyId(): string {
    return `doc-${Math.floor(this.#random() * this.#idPool)}`;
  }

  #knownId(): string | undefined {
    return this.#known[Math.floor(this.#random() * this.#known.length)];
  }

  #remember(id: string): void {
    if (this.#knownIndex.has(id)) return;
    this.#knownIndex.set(id, this.#known.length);
    this.#known.push(id);
  }

  #forget(id: string): void {
    const index = this.#knownIndex.get(id);
    if (index === undefined) return;
    const last = this.#known.pop() as string;
    this.#knownIndex.delete(id);
    if (last !== id) {
      this.#known[index] = last;
      this.#knownIndex.set(last, index);
    }
  }

  #invalidPut(id: string): [string, string, string] {
    const r = this.#random();
    if (r < 0.4) return ['PUT', id, '']; // empty
    if (r < 0.7) return ['PUT', 'not%20a%20valid%20id!', 'hello']; // bad id
    return ['PUT', id, this.#content(70 * 1024)]; // above the 64 KiB limit
  }

  #count(kind: Kind, status: number): void {
    const t = this.#totals;
    const put = kind === 'put' || kind === 'put-invalid' || kind === 'put-faulty';
    if (put && (status === 200 || status === 201)) t.saves.success++;
    else if (put && (status === 400 || status === 413)) t.saves.invalid++;
    else if (put && status === 503) t.saves.failure++;
    else if (kind === 'get' && status === 200) t.reads.found++;
    else if (kind === 'get' && status === 404) t.reads.missing++;
    else if (kind === 'delete' && status === 204) t.deletes.deleted++;
    else if (kind === 'delete' && status === 404) t.deletes.missing++;
    else t.unexpected[status] = (t.unexpected[status] ?? 0) + 1;
  }

  #content(size: number): string {
    return 'lorem ipsum dolor sit amet '.repeat(Math.ceil(size / 27)).slice(0, Math.floor(size));
  }

  #request(method: string, id: string, body?: string): Promise<number> {
    const close = this.#random() < this.#closeChance;
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(`/documents/${id}`, this.#target),
        {
          method,
          agent: this.#agent,
          timeout: 10_000,
          headers: {
            ...(body === undefined ? {} : { 'content-type': 'text/plain' }),
            ...(close ? { connection: 'close' } : {}),
          },
        },
        (res) => {
          res.resume();
          res.once('end', () => resolve(res.statusCode ?? 0));
          res.once('error', reject);
        },
      );
      this.#open.add(req);
      req.once('close', () => this.#open.delete(req));
      req.once('timeout', () => req.destroy(new Error('timeout')));
      req.once('error', reject);
      req.end(body);
    });
  }
}
