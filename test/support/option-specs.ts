import fc from 'fast-check';

// Arbitrary option objects: each option is absent, valid or invalid, so a property can say
// "the call throws a MetricsWiringError naming an option iff some option is invalid".

/** A value for one option and whether the option's contract allows it. */
export interface Choice {
  readonly valid: boolean;
  /** `getter` = an accessor that throws when read. */
  readonly value: unknown;
  readonly getter?: boolean;
}

/** Valid and invalid values of one option. */
export interface OptionSpec {
  readonly valid: fc.Arbitrary<unknown>;
  readonly invalid: fc.Arbitrary<unknown>;
  readonly required?: boolean;
}

function revoked(): unknown {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** Values no typed option accepts. */
export const junk = fc.oneof(
  fc.constant(null),
  fc.constant(Number.NaN),
  fc.integer(),
  fc.string({ maxLength: 4 }),
  fc.constant({}),
  fc.constant([]),
  fc.boolean(),
  fc.constant(Symbol('s')),
  fc.constant(1n),
);

/** Junk minus the kinds `keep` names (e.g. functions are valid for a function option). */
export function junkBut(keep: (value: unknown) => boolean): fc.Arbitrary<unknown> {
  return junk.filter((value) => !keep(value));
}

export const isFunction = (v: unknown) => typeof v === 'function';
export const isString = (v: unknown) => typeof v === 'string';
export const isBoolean = (v: unknown) => typeof v === 'boolean';

export const FUNCTION_SPEC = (valid: fc.Arbitrary<unknown>): OptionSpec => ({
  valid,
  invalid: junkBut(isFunction),
});
export const BOOLEAN_SPEC: OptionSpec = { valid: fc.boolean(), invalid: junkBut(isBoolean) };
export const CLOCK_SPEC: OptionSpec = {
  valid: fc.constant(() => performance.now()),
  invalid: fc.oneof(
    junkBut(isFunction),
    fc.constant(() => 'soon'),
    fc.constant(() => Number.NaN),
    fc.constant(() => {
      throw new Error('clock');
    }),
  ),
};

/** For each option of `specs`: absent, valid, invalid or a throwing getter. */
export function optionsFor(specs: Readonly<Record<string, OptionSpec>>): fc.Arbitrary<{
  readonly choices: Readonly<Record<string, Choice | undefined>>;
}> {
  const entries = Object.entries(specs).map(([key, spec]) => {
    const choice: fc.Arbitrary<Choice | undefined> = fc.oneof(
      { weight: spec.required ? 0 : 15, arbitrary: fc.constant(undefined) },
      { weight: 30, arbitrary: spec.valid.map((value) => ({ valid: true, value })) },
      { weight: 5, arbitrary: spec.invalid.map((value) => ({ valid: false, value })) },
      {
        weight: 1,
        arbitrary: fc.constant({ valid: false, value: undefined, getter: true } as Choice),
      },
    );
    return [key, choice] as const;
  });
  return fc.record(Object.fromEntries(entries)).map((choices) => ({ choices }));
}

/** The options object the choices describe (throwing getters included). */
export function build(
  choices: Readonly<Record<string, Choice | undefined>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, choice] of Object.entries(choices)) {
    if (choice === undefined) continue;
    if (choice.getter === true) {
      Object.defineProperty(out, key, {
        enumerable: true,
        get: () => {
          throw revoked();
        },
      });
    } else {
      out[key] = choice.value;
    }
  }
  return out;
}

/** The options whose choice breaks the contract (missing required ones included). */
export function invalidKeys(
  choices: Readonly<Record<string, Choice | undefined>>,
  specs: Readonly<Record<string, OptionSpec>>,
): string[] {
  return Object.keys(specs).filter((key) => {
    const choice = choices[key];
    return choice === undefined ? specs[key]?.required === true : !choice.valid;
  });
}
