// The recorder's dispatch index: which metrics an event is offered to, computed once per event
// class (and `type` string) instead of asking every metric of the recorder about every event.
import { MetricsError, MetricsWiringError } from '../errors/index.js';
import { describeEvent } from '../events/index.js';
import { splitSelector } from '../events/selector.js';
import { describeValue } from '../internal/attributes.js';
import { BuiltInMetric } from '../metrics/built-in-metric.js';
import type { Metric } from '../metrics/types.js';
import type { UnhandledEventsPolicy } from './types.js';

/** Distinct event prototypes indexed per recorder; events of further classes visit every metric. */
export const MAX_INDEXED_CLASSES = 1024;
/** Distinct unhandled event types reported one by one per recorder; then one last report. */
export const MAX_REPORTED_UNHANDLED_TYPES = 100;
// Up to this many built-in metrics, asking each costs less than looking the event up (a built-in
// tests its own selector first, so asking one that does not select the event changes nothing).
const ASK_ALL_UP_TO = 2;

/**
 * How a metric is offered events, from its static `descriptor.selector`: `proto` = instances of a
 * class (subclasses too), `type` = events whose `type` is that string, neither = every event
 * (a predicate, a class with its own `Symbol.hasInstance`, or no declared selector).
 */
export interface Route {
  readonly metric: Metric;
  readonly proto: object | undefined;
  readonly type: string | undefined;
  /** Asking the metric about an event its selector rejects returns `false` with no effect. */
  readonly selfChecking: boolean;
}

/** The route of `metric`; throws a wiring error for a selector that is neither class, string nor function. */
export function routeOf(recorderName: string, metric: Metric): Route {
  if (metric === null || typeof metric !== 'object') return every(metric);
  let selector: unknown;
  try {
    selector = metric.descriptor?.selector;
  } catch (error) {
    throw new MetricsWiringError(
      'invalid-metric-options',
      `Recorder "${recorderName}": reading the descriptor of metric ${describeValue(metric.name)} threw.`,
      { cause: error },
    );
  }
  const selfChecking = metric instanceof BuiltInMetric;
  if (selector === undefined) return every(metric);
  if (typeof selector === 'string')
    return { metric, proto: undefined, type: selector, selfChecking };
  if (typeof selector === 'function') {
    const cls = splitSelector(selector as (event: object) => boolean).cls;
    const proto = (cls as { prototype?: unknown } | undefined)?.prototype;
    // `instanceof` with a prototype that is no object throws: leave that metric to fail as it
    // would. A function prototype (an old-style constructor's, replaced by a function) is an
    // object to `instanceof` and to prototype chains: keyed like any class.
    if (proto !== null && (typeof proto === 'object' || typeof proto === 'function')) {
      return { metric, proto, type: undefined, selfChecking };
    }
    return every(metric);
  }
  throw new MetricsWiringError(
    'invalid-metric-options',
    `Recorder "${recorderName}": metric ${describeValue(metric.name)} declares descriptor.selector ${describeValue(selector)}; use an event class, a type string or a predicate, or leave it out.`,
  );
}

function every(metric: Metric): Route {
  return { metric, proto: undefined, type: undefined, selfChecking: true };
}

// The metrics for one event prototype: `base` when the event's `type` selects no metric, and the
// lists for the `type` strings that some metric selects, built on first sight.
interface Entry {
  readonly proto: object | null;
  readonly base: readonly Metric[];
  // No metric selects a class below `proto`: the lists hold for every event with `proto` anywhere
  // on its prototype chain (its subclasses' events too), so the last entry is matched with one
  // prototype-chain test (see lookup).
  readonly covers: boolean;
  byType: Map<string, readonly Metric[]> | undefined;
  // The last type looked up and its list: runs of one event type skip the Map.
  lastType: string | undefined;
  lastList: readonly Metric[];
}

const NO_PROTO = Symbol('none');

/**
 * Per event prototype (and `type` string), the metrics whose selector can accept the event, in
 * registration order. An event's key is its prototype, read once per event; its `type` is read
 * only while some metric selects by type. A class event with a `type` string is offered to the
 * metrics of its class chain and to those selecting that type; a plain (structured-cloned) event
 * has `Object.prototype` or `null` as prototype, so its `type` alone decides. Anything unusual (a
 * proxy whose traps throw, a throwing `type` getter, the class cap reached) falls back to every
 * metric, which is what a recorder without an index does. A recorder of at most two built-in
 * metrics asks them directly (same answers, cheaper than a lookup); the lookup then runs only for
 * events no metric accepted, to tell an unhandled type.
 */
export class DispatchIndex {
  private routes: Route[] = [];
  private all: readonly Metric[] = [];
  private readonly types = new Set<string>();
  // Whether some metric selects by `type`; until one does, an event's `type` is never read here.
  private typed = false;
  // Every metric takes every event (predicates, undeclared): no event is ever unhandled.
  private everyEvent = true;
  // Asking every metric gives the same result as the lookup, and costs less (or nothing is indexed).
  private askAll = true;
  private readonly entries = new Map<object | null, Entry>();
  private lastProto: object | null | typeof NO_PROTO = NO_PROTO;
  private lastEntry: Entry | undefined;
  // The last two events had the same entry (see lookup).
  private runs = false;
  private fullReported = false;
  private readonly unhandled = new Map<string, number>();
  private readonly toReport: string[] = [];
  // 0: fewer than the cap of types so far; 1: past it, not reported yet; 2: reported.
  private unhandledOverflow = 0;

  constructor(
    private readonly recorderName: string,
    private readonly policy: UnhandledEventsPolicy,
    private readonly report: (error: MetricsError) => void,
  ) {}

  /** Adds a metric (last in order). Lists built so far are dropped and rebuilt on next sight. */
  add(route: Route): void {
    this.routes = [...this.routes, route];
    this.all = this.routes.map((r) => r.metric);
    if (route.proto !== undefined || route.type !== undefined) this.everyEvent = false;
    this.askAll = this.everyEvent || (this.allSelfChecking() && this.lookupGainsNothing());
    if (route.type !== undefined) {
      this.types.add(route.type);
      this.typed = true;
    }
    this.entries.clear();
    this.lastProto = NO_PROTO;
    this.lastEntry = undefined;
  }

  private allSelfChecking(): boolean {
    return this.routes.every((r) => r.selfChecking);
  }

  // Few metrics, or all selecting the same class or type (a recorder of one event, often): the
  // lookup would return all of them or none, and asking each costs less.
  private lookupGainsNothing(): boolean {
    const first = this.routes[0] as Route;
    return (
      this.routes.length <= ASK_ALL_UP_TO ||
      this.routes.every((r) => r.type === first.type && r.proto === first.proto)
    );
  }

  /** The metrics to ask about `event`, in registration order. Never throws. */
  metricsFor(event: object): readonly Metric[] {
    if (this.askAll) return this.all;
    // The common case first, small enough for V8 to inline into the dispatch loop together with
    // the metric's handler (its inlining budget is counted in bytecode, bench/README.md, "Round
    // 5"): an event of the last event's class, or of a subclass its entry covers, while events
    // come in runs. `lookup` decides every other case, and the same ones again (it is also what
    // `ignored` asks).
    const last = this.lastEntry;
    if (this.runs && last?.covers) {
      try {
        if (isPrototypeOfFn.call(last.proto, event)) {
          if (!this.typed) return last.base;
          const type = (event as { type?: unknown }).type;
          return typeof type === 'string' ? this.forType(last, type) : last.base;
        }
      } catch {
        return this.all;
      }
    }
    return this.lookup(event);
  }

  /** Called for an event no metric accepted: notes its type when no metric selects it. */
  ignored(event: object): void {
    if (this.policy === 'ignore' || (this.everyEvent && this.all.length > 0)) return;
    if (this.lookup(event).length === 0) this.noteUnhandled(event);
  }

  // The metrics whose selector can accept `event`: every metric when the event cannot be keyed.
  private lookup(event: object): readonly Metric[] {
    let list: readonly Metric[];
    try {
      // An event of the last event's class (or of a subclass the entry covers): one chain test,
      // which V8 compiles inline, where `Object.getPrototypeOf` is a call into the runtime
      // (10 ns on Node 20, a sixth of the end-to-end cost of an event, bench/README.md). Tried
      // only while events come in runs of one entry: classes that alternate would pay the test
      // (a walk to the end of the chain when it fails) and the call.
      const last = this.lastEntry;
      let entry: Entry | undefined;
      if (this.runs && last?.covers && isPrototypeOfFn.call(last.proto, event)) {
        entry = last;
      } else {
        const proto = Object.getPrototypeOf(event) as object | null;
        entry = proto === this.lastProto ? last : this.entryOf(proto);
        this.runs = entry === last;
      }
      if (entry === undefined) return this.all;
      list = entry.base;
      if (this.typed) {
        const type = (event as { type?: unknown }).type;
        if (typeof type === 'string') list = this.forType(entry, type);
      }
    } catch {
      return this.all;
    }
    return list;
  }

  /** Reports the event types first found unhandled since the last call (the recorder calls it per batch). */
  reportUnhandled(): void {
    if (this.toReport.length === 0 && this.unhandledOverflow !== 1) return;
    const names = this.toReport.splice(0);
    for (const name of names) {
      const count = this.unhandled.get(name) ?? 0;
      this.report(
        new MetricsError(
          'unhandled-event-type',
          `Recorder "${this.recorderName}": no metric selects events of type "${name}" (${count} so far, ${this.unhandled.size} unhandled type(s) in this recorder); they only count in stats().ignored. Check the metric's \`on\` for a typo, or pass unhandledEvents: 'ignore' to a recorder that ignores them on purpose.`,
        ),
      );
    }
    if (this.unhandledOverflow === 1) {
      this.unhandledOverflow = 2;
      this.report(
        new MetricsError(
          'unhandled-event-type',
          `Recorder "${this.recorderName}": events of more than ${MAX_REPORTED_UNHANDLED_TYPES} types were selected by no metric; further types are not reported one by one (stats().ignored counts them all). A \`type\` that carries an id?`,
        ),
      );
    }
  }

  private entryOf(proto: object | null): Entry | undefined {
    let entry = this.entries.get(proto);
    if (entry === undefined) {
      if (this.entries.size >= MAX_INDEXED_CLASSES) {
        this.noteFull();
        return undefined;
      }
      const base = this.select(proto, undefined);
      const covers = proto !== null && !this.routes.some((r) => below(r.proto, proto));
      entry = { proto, base, covers, byType: undefined, lastType: undefined, lastList: base };
      this.entries.set(proto, entry);
    }
    this.lastProto = proto;
    this.lastEntry = entry;
    return entry;
  }

  private forType(entry: Entry, type: string): readonly Metric[] {
    if (type === entry.lastType) return entry.lastList;
    let list = entry.byType?.get(type);
    if (list === undefined) {
      // Types no metric selects are not stored: an id in `type` must not grow the index.
      if (!this.types.has(type)) return entry.base;
      list = this.select(entry.proto, type);
      entry.byType ??= new Map();
      entry.byType.set(type, list);
    }
    entry.lastType = type;
    entry.lastList = list;
    return list;
  }

  // Registration order is kept: a filter over the routes, which are in that order.
  private select(proto: object | null, type: string | undefined): readonly Metric[] {
    const out: Metric[] = [];
    for (const route of this.routes) {
      if (route.proto !== undefined) {
        if (proto !== null && (proto === route.proto || inChain(route.proto, proto))) {
          out.push(route.metric);
        }
      } else if (route.type === undefined || route.type === type) {
        out.push(route.metric);
      }
    }
    return out;
  }

  private noteUnhandled(event: object): void {
    const name = describeEvent(event);
    const count = this.unhandled.get(name);
    if (count !== undefined) {
      this.unhandled.set(name, count + 1);
      return;
    }
    if (this.unhandled.size >= MAX_REPORTED_UNHANDLED_TYPES) {
      if (this.unhandledOverflow === 0) this.unhandledOverflow = 1;
      return;
    }
    this.unhandled.set(name, 1);
    this.toReport.push(name);
  }

  private noteFull(): void {
    if (this.fullReported) return;
    this.fullReported = true;
    this.report(
      new MetricsError(
        'dispatch-index-full',
        `Recorder "${this.recorderName}" has met ${MAX_INDEXED_CLASSES} distinct event classes; events of further classes are offered to every metric (slower, same results). Is a class created per request?`,
      ),
    );
  }
}

const isPrototypeOfFn = Object.prototype.isPrototypeOf;

// A class prototype `selected` lies strictly below `proto` (a subclass's): events of that subclass
// have `proto` on their chain but are offered one more metric.
function below(selected: object | undefined, proto: object): boolean {
  return selected !== undefined && selected !== proto && inChain(proto, selected);
}

// `candidate` is on `proto`'s chain: what `instanceof` finds for an event whose prototype is `proto`.
function inChain(candidate: object, proto: object): boolean {
  return isPrototypeOfFn.call(candidate, proto);
}
