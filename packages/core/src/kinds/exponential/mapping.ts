// The base-2 exponential bucket mapping of OpenTelemetry's data model ("Exponential Buckets",
// opentelemetry-specification/specification/metrics/data-model.md): at scale s, bucket `i` holds
// the values in (base^i, base^(i+1)] with base = 2^(2^-s). Scale > 0 uses the logarithm method,
// scale <= 0 the exponent of the IEEE 754 representation; both put an exact power of two in the
// bucket it closes (the upper boundary is inclusive) and every value at or below the smallest
// normal 2^-1022 (subnormals included) in the bucket whose upper boundary is 2^-1022.

/** The smallest scale the mapping supports: 2^(2^10) per bucket, two buckets for all of float64. */
export const MIN_SCALE = -10;
/** The largest scale the mapping supports (as OpenTelemetry's SDKs). */
export const MAX_SCALE = 20;

const MIN_NORMAL_EXPONENT = -1022;
const MAX_NORMAL_EXPONENT = 1023;
const EXPONENT_BIAS = 1023;
/** 2^-1022, the smallest normal float64. */
export const MIN_NORMAL_VALUE = 2 ** MIN_NORMAL_EXPONENT;

// One 8-byte buffer seen as a float64 and as two 32-bit words: reading the exponent and the
// significand costs a store and two loads, no allocation. Every read is synchronous.
const float = new Float64Array(1);
const words = new Uint32Array(float.buffer);
// The word holding sign, exponent and the top of the significand, whatever the platform's order.
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

// Scale > 0: the logarithm method. log(value) * (log2(e) * 2^scale) is floored; the factor is an
// exact power-of-two multiple of LOG2E, so an index at scale s+k shifted right by k is the index
// at scale s, and the index is kept in the value's binary octave, so shifted to scale <= 0 it is
// the exponent method's (downscaling and mapping afresh agree at every scale).
const SCALE_FACTORS: readonly number[] = Array.from(
  { length: MAX_SCALE + 1 },
  (_, scale) => Math.LOG2E * 2 ** scale,
);

/**
 * The index of the bucket holding the positive finite `value` at `scale` (MIN_SCALE..MAX_SCALE).
 * Values at or below 2^-1022 share the bucket just below the smallest normal's.
 */
export function mapToIndex(value: number, scale: number): number {
  if (scale > 0) {
    if (value <= MIN_NORMAL_VALUE) return (MIN_NORMAL_EXPONENT << scale) - 1;
    float[0] = value;
    const hi = words[HI] as number;
    const exponent = ((hi >>> 20) & 0x7ff) - EXPONENT_BIAS;
    if ((hi & 0xfffff) === 0 && words[LO] === 0) return (exponent << scale) - 1;
    const index = Math.floor(Math.log(value) * (SCALE_FACTORS[scale] as number));
    // The value lies strictly between 2^exponent and 2^(exponent+1), so its index lies in that
    // octave. Just off a power of two the rounded logarithm can land across it (one bucket out:
    // 2^-160 * (1 - 2^-52) at 2^-160's bucket, or just below 2^1024 one past the last bucket);
    // kept in the octave, the index agrees with the exact exponent method at scale <= 0 once
    // shifted, so downscaling across scale 0 keeps every value in its bucket.
    if (index >> scale === exponent) return index;
    return index < exponent << scale ? exponent << scale : ((exponent + 1) << scale) - 1;
  }
  const shift = -scale;
  if (value < MIN_NORMAL_VALUE) return minNormalLowerIndex(shift);
  float[0] = value;
  const hi = words[HI] as number;
  const exponent = ((hi >>> 20) & 0x7ff) - EXPONENT_BIAS;
  // An exact power of two closes the bucket below the one its exponent names.
  const correction = (hi & 0xfffff) === 0 && words[LO] === 0 ? -1 : 0;
  return (exponent + correction) >> shift;
}

/** Scale <= 0: the index of the bucket whose upper boundary is 2^-1022. */
function minNormalLowerIndex(shift: number): number {
  const index = MIN_NORMAL_EXPONENT >> shift;
  // At shifts 0 and 1, 2^-1022 is itself a boundary, so the bucket below it is one lower.
  return shift < 2 ? index - 1 : index;
}

/** The smallest bucket index `mapToIndex` returns at `scale`. */
export function minIndex(scale: number): number {
  return scale > 0 ? (MIN_NORMAL_EXPONENT << scale) - 1 : minNormalLowerIndex(-scale);
}

/** The largest bucket index `mapToIndex` returns at `scale`. */
export function maxIndex(scale: number): number {
  return scale > 0 ? ((MAX_NORMAL_EXPONENT + 1) << scale) - 1 : MAX_NORMAL_EXPONENT >> -scale;
}

/**
 * The lower boundary of bucket `index` at `scale` (the bucket holds (lower, upper], its upper
 * boundary is `lowerBoundary(index + 1, scale)`), for indexes `mapToIndex` can return plus one.
 * Exact at scale <= 0; at scale > 0 computed as 2^(index / 2^scale), which may differ from the
 * true boundary by an ulp, the precision the logarithm method itself has.
 */
export function lowerBoundary(index: number, scale: number): number {
  if (scale <= 0) return 2 ** (index * 2 ** -scale);
  // 2^whole * 2^fraction: the whole octave is exact, only the fraction's power rounds.
  const perOctave = 2 ** scale;
  const whole = Math.floor(index / perOctave);
  const fraction = (index - whole * perOctave) / perOctave;
  return 2 ** fraction * 2 ** whole;
}
