import type { Attributes } from '../snapshots/types.js';
import {
  type AttributeEntries,
  cleanName,
  entriesKey,
  entriesObject,
  MAX_ATTRIBUTE_VALUE_LENGTH,
  normalizedEntries,
  readAttributes,
} from './attributes.js';

const NO_ENTRIES: AttributeEntries = [];
const isOwn = Object.prototype.hasOwnProperty;

/** The names and raw values of the attribute set being looked up, and how many. */
interface Scratch {
  readonly names: string[];
  readonly values: unknown[];
  count: number;
}

/** The attribute set of the point that absorbs attribute sets beyond the cardinality limit. */
const OVERFLOW_ATTRIBUTES: Attributes = Object.freeze({ 'otel.metric.overflow': true });

/** Points a metric keeps by default, the overflow point included (as OpenTelemetry's default). */
export const DEFAULT_CARDINALITY_LIMIT = 2000;

// Memo nodes kept per cardinality-limit unit; beyond that the memo stops growing (lookups stay exact).
const MEMO_NODES_PER_POINT = 8;

/**
 * A step of the memo: raw attribute values, in the caller's (sorted) key order, leading to a known
 * point. Each step expects one attribute name (attribute functions return the same keys every
 * time); a different name simply misses and takes the exact path. A step that ends a set and leads
 * nowhere further is no node: its parent's map holds the point itself (most sets are such leaves,
 * and a node costs more than the point), and becomes a node only when a longer set passes by.
 */
class MemoNode<P> {
  name: string | undefined = undefined;
  values: Map<unknown, MemoNode<P> | P> | undefined = undefined;
  // The first two values of `values` and what they lead to, inline: a lookup compares them before
  // it asks the map. Most attributes take a few values (an outcome, a method), and comparing a
  // field costs ~1 ns where a `Map.get` costs ~6 (bench/README.md, "Round 5"). Written only where
  // `values` is (`link`), so both always agree; values the comparison cannot find (NaN) are found
  // in the map.
  v0: unknown = undefined;
  n0: MemoNode<P> | P | undefined = undefined;
  v1: unknown = undefined;
  n1: MemoNode<P> | P | undefined = undefined;
  constructor(
    public point: P | undefined,
    /** How it was reached: the parent (whose `name` it follows) and the value; the root has none. */
    readonly parent: MemoNode<P> | undefined,
    readonly value: unknown,
    readonly depth: number,
  ) {}
}

/**
 * Points of one metric keyed by attribute set, bounded by a cardinality limit that counts the
 * overflow point (OpenTelemetry's rule): once `limit - 1` sets exist, new sets go to the overflow
 * point while known sets keep updating.
 */
export class PointStore<P extends { attributes: Attributes }> {
  // Every point of an attribute set, in the order first seen (the overflow point apart).
  private readonly order: P[] = [];
  // The points the memo cannot find from their normalised entries (see `add`), by key.
  private readonly byKey = new Map<string, P>();
  private single: P | undefined;
  private overflowPoint: P | undefined;
  // Hot-path memo: building and hashing the string key costs more than the metric update itself.
  private readonly memo = new MemoNode<P>(undefined, undefined, undefined, 0);
  private memoNodes = 0;
  // Lookups of an object or a Map that took the exact path (normalised the set): what the memo
  // spares a known set, so tests can tell a memo hit from an exact answer (both give one point).
  private exactLookups = 0;
  // The names and values of the set being looked up, reused from event to event.
  private scratch: Scratch | undefined = { names: [], values: [], count: 0 };

  constructor(
    private readonly create: (attributes: Attributes) => P,
    private readonly limit: number,
    private readonly hasAttributes: boolean,
    private readonly onOverflow: () => void,
  ) {}

  /**
   * The point for `raw` attributes, created on first sight; `undefined`, `null` or a primitive
   * (an `attributes()` that returned something else than an object) mean none. Each key of `raw`
   * is enumerated once and each value read once, whether the memo knows the set or not: a getter,
   * a Proxy or a `toJSON` that answers differently on a second call cannot give the point's
   * identity one value and its attributes another.
   */
  get(raw: Readonly<Record<string, unknown>> | null | undefined): P {
    // Without an attributes function there is exactly one point, whatever `initial` says.
    if (!this.hasAttributes) return this.single ?? this.singlePoint();
    if (raw === undefined || raw === null || typeof raw !== 'object') {
      return this.getByKey(NO_ENTRIES);
    }
    return raw instanceof Map ? this.missed(raw, this.takeScratch()) : this.recall(raw);
  }

  /**
   * The point for the attribute set `{ [name]: value }`, `value` read by the caller (a metric whose
   * attribute function is `(e) => ({ name: e.property })`): the same point `get` gives for that
   * object, found in the memo without the object; the object is made only when the memo does not
   * know the set.
   */
  getSingle(name: string, value: unknown): P {
    const root = this.memo;
    if (value === undefined || value === null) {
      // No part of the identity (as in `recall`): the set without attributes.
      if (root.point !== undefined) return root.point;
    } else if (name === root.name && isMemoValue(value)) {
      const next =
        value === root.v0
          ? root.n0
          : value === root.v1
            ? root.n1
            : (root.values as Map<unknown, MemoNode<P> | P>).get(value);
      if (next instanceof MemoNode) {
        if (next.point !== undefined) return next.point;
      } else if (next !== undefined) {
        return next;
      }
    }
    return this.get({ [name]: value });
  }

  // The scratch arrays are taken for the rest of a lookup once it needs them: a getter that
  // registers an event a sync recorder processes right here (a nested call) finds none and uses
  // fresh ones, and a getter that throws leaves none behind, so the next call starts afresh.
  private takeScratch(): Scratch {
    const scratch = this.scratch ?? { names: [], values: [], count: 0 };
    this.scratch = undefined;
    return scratch;
  }

  /**
   * Walks the memo while reading `raw` (one pass, each value once): a set of the same primitive
   * values under the same names in the same (sorted) order is a known point. With clean, sorted
   * names the point's key is a pure function of that sequence, so a hit is exactly the point
   * `getByKey` would return; points are never removed, and the overflow point is never memoised
   * (a new set must still overflow). From the first mismatch on, the scratch arrays get the
   * matched part (from the path) and every later key, for {@link miss}.
   *
   * A hit reads the memo and writes nothing (no scratch taken and put back), and everything a
   * miss does is out of line (`diverge`, `addKey`, `missed`): this loop is the part of a
   * counter's per-event path V8 must inline into the recorder's dispatch loop, and its inlining
   * budget is counted in bytecode (bench/README.md, "Round 4").
   */
  private recall(raw: Readonly<Record<string, unknown>>): P {
    let node: MemoNode<P> = this.memo;
    // A point found in `node`'s map in place of a node (a leaf), under `leafValue`.
    let leaf: P | undefined;
    let leafValue: unknown;
    // Taken at the first mismatch: from then on every key read is copied.
    let scratch: Scratch | undefined;
    for (const name in raw) {
      // Inherited keys are not part of a point's identity (as `Object.keys`): never read.
      // `hasOwnProperty.call`, not `Object.hasOwn`: V8 answers it from the for-in's own key
      // cache without a lookup (a third of this loop's time with `Object.hasOwn`, Node 20).
      if (!isOwn.call(raw, name)) continue;
      const value = raw[name];
      if (scratch === undefined) {
        // Keys without a value are no part of the identity: the memo path skips them.
        if (value === undefined || value === null) continue;
        if (leaf === undefined && name === node.name && isMemoValue(value)) {
          const next =
            value === node.v0
              ? node.n0
              : value === node.v1
                ? node.n1
                : (node.values as Map<unknown, MemoNode<P> | P>).get(value);
          if (next instanceof MemoNode) {
            node = next;
            continue;
          }
          if (next !== undefined) {
            leaf = next;
            leafValue = value;
            continue;
          }
        }
        scratch = this.diverge(node, leaf, leafValue);
      }
      addKey(scratch, name, value);
    }
    if (scratch !== undefined) return this.missed(raw, scratch);
    if (leaf !== undefined) return leaf;
    return node.point ?? this.missed(raw, this.diverge(node, undefined, undefined));
  }

  // The first mismatch: the scratch arrays, holding the memo path matched so far (and the leaf
  // step read after it, if any).
  private diverge(node: MemoNode<P>, leaf: P | undefined, leafValue: unknown): Scratch {
    const scratch = this.takeScratch();
    scratch.count = copyPath(node, scratch);
    if (leaf !== undefined) addKey(scratch, node.name as string, leafValue);
    return scratch;
  }

  private missed(raw: object, scratch: Scratch): P {
    const point = this.miss(raw, scratch);
    this.scratch = scratch;
    return point;
  }

  /** Not a known set: the values already read (a `Map` is read here) are normalised. */
  private miss(raw: object, scratch: Scratch): P {
    this.exactLookups++;
    const { names, values } = scratch;
    const memoised = !(raw instanceof Map);
    const count = memoised ? scratch.count : readAttributes(raw, names, values);
    const entries = normalizedEntries(names, values, count);
    const point = this.getByKey(entries);
    if (memoised && point !== this.overflowPoint) this.remember(names, values, count, point);
    // The scratch arrays must not keep this event's objects alive until the next event.
    values.fill(undefined, 0, count);
    return point;
  }

  private remember(
    names: readonly string[],
    values: readonly unknown[],
    count: number,
    point: P,
  ): boolean {
    if (this.memoNodes >= this.limit * MEMO_NODES_PER_POINT) return false;
    let node = this.memo;
    let previous = '';
    let first = true;
    // Where the set ends (its last step with a value): that step holds the point.
    let last = -1;
    for (let i = 0; i < count; i++) {
      const value = values[i];
      if (value === undefined || value === null) continue;
      const name = names[i] as string;
      // Clean names in sorted order: exactly when the key is built from this sequence as it is.
      // A string over the attribute length is cut for the point: kept as a memo key, its whole
      // text would stay alive (up to limit × 8 of them, each as long as the caller made it).
      if (
        !isMemoValue(value) ||
        (typeof value === 'string' && value.length > MAX_ATTRIBUTE_VALUE_LENGTH) ||
        (!first && name < previous) ||
        cleanName(name) !== name
      ) {
        return false;
      }
      first = false;
      previous = name;
      last = i;
    }
    if (last < 0) {
      node.point = point;
      return true;
    }
    for (let i = 0; i <= last; i++) {
      const value = values[i];
      if (value === undefined || value === null) continue;
      const name = names[i] as string;
      if (node.name === undefined) {
        node.name = name;
        node.values = new Map();
      } else if (node.name !== name) {
        return false;
      }
      const known = node.values as Map<unknown, MemoNode<P> | P>;
      const next = known.get(value);
      if (i === last) {
        // A known node takes the point; a known leaf already is this set's point.
        if (next instanceof MemoNode) next.point = point;
        else if (next === undefined) {
          link(node, value, point);
          this.memoNodes++;
        }
        return true;
      }
      if (next instanceof MemoNode) {
        node = next;
        continue;
      }
      // A leaf (or nothing) on the way to a longer set: a node now, keeping the leaf's point.
      const branch = new MemoNode<P>(next, node, value, node.depth + 1);
      link(node, value, branch);
      if (next === undefined) this.memoNodes++;
      node = branch;
    }
    return true;
  }

  /**
   * The point of normalised `entries`, made on first sight. A set whose values the memo can hold
   * is found there, by its normalised entries (the path `recall` walks for those very values, so
   * both agree), and is kept nowhere else: no key string, no second map entry per point. Sets the
   * memo cannot hold (an object value made a string, names the memo's steps do not expect, the
   * memo full) are kept by key.
   */
  private getByKey(entries: AttributeEntries): P {
    const found = this.find(entries);
    if (found !== undefined) return found;
    if (this.order.length >= this.limit - 1) {
      if (this.overflowPoint === undefined) {
        this.overflowPoint = this.create({ ...OVERFLOW_ATTRIBUTES });
        this.onOverflow();
      }
      return this.overflowPoint;
    }
    const point = this.create(entriesObject(entries));
    this.order.push(point);
    const names = entries.map((entry) => entry[0]);
    const values = entries.map((entry) => entry[1]);
    if (!this.remember(names, values, entries.length, point)) {
      this.byKey.set(entriesKey(entries), point);
    }
    return point;
  }

  /** The known point of normalised `entries`: by the memo, else by key. */
  private find(entries: AttributeEntries): P | undefined {
    let node = this.memo;
    for (let i = 0; i < entries.length; i++) {
      const [name, value] = entries[i] as (typeof entries)[number];
      if (node.name !== name || !isMemoValue(value)) return this.byKey.get(entriesKey(entries));
      const next = (node.values as Map<unknown, MemoNode<P> | P>).get(value);
      if (next instanceof MemoNode) {
        node = next;
      } else {
        if (next !== undefined && i === entries.length - 1) return next;
        return this.byKey.get(entriesKey(entries));
      }
    }
    return node.point ?? this.byKey.get(entriesKey(entries));
  }

  // A metric without attributes has exactly one point, at zero until its first event.
  private singlePoint(): P {
    this.single ??= this.create({});
    return this.single;
  }

  /**
   * Visits every live point (not a copy), in the order of {@link points}: the single point or the
   * attribute sets in the order they were first seen, overflow last. Points are never removed and
   * a new one only ever comes after every existing one (the overflow point is made once the other
   * sets are full), so a point's index never changes: a reader may keep what it derived from the
   * point at index `i` (a bridge's exported attributes) across reads.
   */
  forEachLive(visit: (point: P, index: number) => void): void {
    let index = 0;
    if (!this.hasAttributes) visit(this.singlePoint(), index++);
    for (const point of this.order) visit(point, index++);
    if (this.overflowPoint !== undefined) visit(this.overflowPoint, index);
  }

  /** How many lookups of an object or a Map took the exact path instead of the memo (tests). */
  get exactLookupCount(): number {
    return this.exactLookups;
  }

  /** Every point, overflow last. */
  points(): P[] {
    const out: P[] = [];
    if (!this.hasAttributes) out.push(this.singlePoint());
    for (const point of this.order) out.push(point);
    if (this.overflowPoint !== undefined) out.push(this.overflowPoint);
    return out;
  }
}

// Values whose normalised form depends on the value alone (objects may change between events).
function isMemoValue(value: unknown): boolean {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean';
}

/** Makes `value` lead to `next` from `node`: in its map, and in a free (or its own) inline slot. */
function link<P>(node: MemoNode<P>, value: unknown, next: MemoNode<P> | P): void {
  (node.values as Map<unknown, MemoNode<P> | P>).set(value, next);
  if (node.n0 === undefined || node.v0 === value) {
    node.v0 = value;
    node.n0 = next;
  } else if (node.n1 === undefined || node.v1 === value) {
    node.v1 = value;
    node.n1 = next;
  }
}

function addKey(scratch: Scratch, name: string, value: unknown): void {
  scratch.names[scratch.count] = name;
  scratch.values[scratch.count++] = value;
}

// Writes the names and values of the memo path that ends at `node` into the scratch arrays, in
// key order; returns how many.
function copyPath<P>(node: MemoNode<P>, scratch: Scratch): number {
  let at: MemoNode<P> = node;
  for (let i = node.depth - 1; i >= 0; i--) {
    const parent = at.parent as MemoNode<P>;
    scratch.names[i] = parent.name as string;
    scratch.values[i] = at.value;
    at = parent;
  }
  return node.depth;
}
