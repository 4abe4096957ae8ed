import fc from 'fast-check';

// Values an adversarial metric, listener or capturer may throw: each arbitrary yields a thunk so
// revoked proxies and throwing getters are made fresh for every use.

const thrower = (what: string) => () => {
  throw new Error(`${what} throws`);
};

function revokedProxy(target: object): unknown {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

/** A proxy on which every trap throws (reads, `instanceof`, `in`, key listing). */
function hostileProxy(thrown: unknown): unknown {
  const trap = () => {
    throw thrown;
  };
  return new Proxy(
    {},
    { get: trap, getPrototypeOf: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap },
  );
}

const makers: Record<string, () => unknown> = {
  revokedObject: () => revokedProxy({}),
  revokedError: () => revokedProxy(new Error('x')),
  revokedFunction: () => revokedProxy(() => {}),
  hostileProxy: () => hostileProxy(revokedProxy({})),
  messageGetterThrows: () => {
    const error = new Error('hidden');
    Object.defineProperty(error, 'message', { get: thrower('message') });
    return error;
  },
  nameAndStackThrow: () => {
    const error = new TypeError('x');
    for (const key of ['stack', 'name', 'constructor'])
      Object.defineProperty(error, key, { get: thrower(key) });
    return error;
  },
  messageThrowsRevoked: () => {
    const error = new Error('hidden');
    Object.defineProperty(error, 'message', {
      get: () => {
        throw revokedProxy({});
      },
    });
    return error;
  },
  toPrimitiveThrows: () => ({ [Symbol.toPrimitive]: thrower('toPrimitive') }),
  toPrimitiveReturnsObject: () => ({ [Symbol.toPrimitive]: () => ({}) }),
  toStringThrows: () => ({ toString: thrower('toString'), valueOf: thrower('valueOf') }),
  nullPrototype: () => Object.create(null),
  messageIsObject: () => {
    const error = new Error('x');
    Object.defineProperty(error, 'message', { value: { toString: thrower('inner') } });
    return error;
  },
  cyclicError: () => {
    const error = new Error('cyclic') as Error & { self?: unknown };
    error.cause = error;
    error.self = error;
    return error;
  },
  cyclicObject: () => {
    const o: Record<string, unknown> = {};
    o.o = o;
    return o;
  },
  hugeMessage: () => new Error('m'.repeat(1_000_000)),
  functionValue: () => Object.assign(() => {}, { message: undefined }),
};

/** An arbitrary odd thrown value, made fresh by the returned thunk. */
export function oddThrown(): fc.Arbitrary<() => unknown> {
  const primitives = fc
    .oneof(
      fc.string(),
      fc.double(),
      fc.bigInt(),
      fc.boolean(),
      fc.constant(undefined),
      fc.constant(null),
      fc.string().map((s) => Symbol(s)),
    )
    .map((value) => () => value);
  return fc.oneof(fc.constantFrom(...Object.values(makers)), primitives);
}

/** Every odd thrown value by name, for example-based tests. */
export const oddThrownExamples: Readonly<Record<string, () => unknown>> = makers;
