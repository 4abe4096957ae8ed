// Compiled copies of a hot method, one per key: V8 keeps type feedback per function, so the calls
// inside one shared method see every metric's functions and stay generic (not inlined, a double
// returned by the user's `value` boxed on the heap). A copy made for one family of metrics (one
// kind, one `value`/`attributes` source) sees only theirs, and V8 inlines them into it.

/** Copies kept at most; beyond, further keys share the method itself (correct, as before). */
export const MAX_SPECIALIZED = 256;

interface Specializer {
  /** `false` once this runtime cannot compile code, or its source text is instrumented. */
  enabled: boolean | undefined;
  readonly copies: Map<string, Function>;
}

const specializer: Specializer = { enabled: undefined, copies: new Map() };

/**
 * The copy of `method` for `key`, compiled from its source text on first sight; `method` itself
 * when the copy cannot be made. `method` must reference nothing but `this`, its parameters and
 * globals (a copy is compiled in the global scope). `canary` is a function of the same file that
 * returns `'canary'`: a copy of it that fails tells a runtime without `new Function` (a CSP), or
 * source text rewritten by a coverage or mutation tool whose helpers a copy cannot see.
 */
export function specialize<F extends Function>(method: F, key: string, canary: () => string): F {
  if (specializer.enabled === false) return method;
  const known = specializer.copies.get(key);
  if (known !== undefined) return known as F;
  if (specializer.copies.size >= MAX_SPECIALIZED) return method;
  let copy: Function;
  try {
    if (specializer.enabled === undefined) {
      specializer.enabled = (compile(canary, 'canary') as () => unknown)() === 'canary';
      if (!specializer.enabled) return method;
    }
    copy = compile(method, String(specializer.copies.size));
  } catch {
    specializer.enabled = false;
    return method;
  }
  specializer.copies.set(key, copy);
  return copy as F;
}

/** How many copies exist (tests). */
export function specializedCount(): number {
  return specializer.copies.size;
}

/** Forgets every copy and whether compiling works (tests). */
export function resetSpecializer(): void {
  specializer.enabled = undefined;
  specializer.copies.clear();
}

// A method's text is `name(params) { … }`, which becomes a function expression with `function `
// before it; a function's or an arrow's text is one already. Each copy is a distinct script (its
// own `sourceURL`), so V8 gives it a function and feedback of its own.
function compile(method: Function, id: string): Function {
  const source = Function.prototype.toString.call(method);
  const expression =
    /^[A-Za-z_$][\w$]*\s*\(/.test(source) && !/^(async|function)\b/.test(source)
      ? `function ${source}`
      : source;
  return new Function(
    `'use strict';\nreturn (${expression});\n//# sourceURL=mvx-metrics/specialized-${id}.js`,
  )() as Function;
}
