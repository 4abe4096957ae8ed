// An exact oracle for OpenTelemetry's base-2 exponential buckets, written from the data model's
// definition ("Exponential Buckets", opentelemetry-specification metrics/data-model.md), sharing no
// code with core or sdk-metrics: at scale s, base = 2^(2^-s) and bucket i holds (base^i, base^(i+1)],
// so the index of x is ceil(log2(x) * 2^s) - 1. log2(x) is worked out exactly enough with BigInt:
// x = m * 2^(E-52) with 2^52 <= m < 2^53, log2(x) = E + log2(m / 2^52), and the fraction's bits come
// from repeated squaring, carried as an interval [lo, hi] so every bit is certain (an undecided bit
// throws instead of guessing). Values at or below the smallest normal 2^-1022 (subnormals) are taken
// as 2^-1022, which the data model permits ("round subnormal values away from zero to the nearest
// normal value") and which both implementations do.

const MIN_NORMAL = 2 ** -1022;
const WORK_BITS = 256n;
const ONE = 1n << WORK_BITS;
const TWO = ONE << 1n;

const view = new DataView(new ArrayBuffer(8));

/** x (positive, finite, normal) as E and the 53-bit integer significand m: x = m * 2^(E - 52). */
function decompose(x: number): { exponent: number; significand: bigint } {
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  return { exponent: biased - 1023, significand: (bits & ((1n << 52n) - 1n)) | (1n << 52n) };
}

/** The first `count` bits of log2(m / 2^52)'s fraction (m not a power of two), as an integer. */
function fractionBits(significand: bigint, count: number): number {
  let lo = significand << (WORK_BITS - 52n);
  let hi = lo;
  let bits = 0;
  for (let i = 0; i < count; i++) {
    lo = (lo * lo) >> WORK_BITS;
    hi = (hi * hi + ONE - 1n) >> WORK_BITS;
    bits *= 2;
    if (lo >= TWO) {
      bits += 1;
      lo >>= 1n;
      hi = (hi + 1n) >> 1n;
    } else if (hi >= TWO) {
      throw new Error(`oracle: bit ${i} of log2(${significand}/2^52) undecided`);
    }
  }
  return bits;
}

/** The data model's bucket index of the positive finite `value` at `scale` (-10..20). */
export function oracleIndex(value: number, scale: number): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`not positive: ${value}`);
  const { exponent, significand } = decompose(Math.max(value, MIN_NORMAL));
  if (significand === 1n << 52n) {
    // log2 is exactly `exponent`: the value closes bucket ceil(exponent * 2^scale) - 1.
    return scale >= 0 ? exponent * 2 ** scale - 1 : -Math.floor(-exponent / 2 ** -scale) - 1;
  }
  // log2 is strictly between exponent and exponent + 1, and (an irrational or a non-integer
  // multiple of 2^-scale) never on a boundary: the index is floor(log2(value) * 2^scale).
  if (scale <= 0) return Math.floor(exponent / 2 ** -scale);
  return exponent * 2 ** scale + fractionBits(significand, scale);
}

/** Whether log2(value) * 2^scale is within 2^-bits of an integer (a bucket boundary at `scale`). */
export function nearBoundary(value: number, scale: number, bits = 24): boolean {
  const { significand } = decompose(Math.max(value, MIN_NORMAL));
  if (significand === 1n << 52n) return true;
  const more = fractionBits(significand, scale + bits) % 2 ** bits;
  return more === 0 || more === 2 ** bits - 1;
}

/** The buckets of one sign as OpenTelemetry exports them, from each magnitude's oracle index. */
export function oracleBuckets(
  magnitudes: readonly number[],
  scale: number,
): { offset: number; bucketCounts: number[] } {
  if (magnitudes.length === 0) return { offset: 0, bucketCounts: [] };
  const indexes = magnitudes.map((m) => oracleIndex(m, scale));
  const offset = Math.min(...indexes);
  const bucketCounts = new Array<number>(Math.max(...indexes) - offset + 1).fill(0);
  for (const index of indexes)
    bucketCounts[index - offset] = (bucketCounts[index - offset] ?? 0) + 1;
  return { offset, bucketCounts };
}

/**
 * The highest scale (maxScale down to -10) at which the non-zero `values` fit `maxSize` buckets per
 * sign by their oracle indexes; 0 when there is none (as OpenTelemetry reports an empty histogram).
 * Each index is worked out once, at maxScale, and floored by 2^k for scale maxScale - k: exact,
 * as floor(floor(y) / 2^k) = floor(y / 2^k) and floor((a - 1) / 2^k) = ceil(a / 2^k) - 1.
 */
export function oracleScale(values: readonly number[], maxSize: number, maxScale: number): number {
  const at = (magnitudes: number[]) => magnitudes.map((m) => oracleIndex(m, maxScale));
  const positive = at(values.filter((v) => v > 0));
  const negative = at(values.filter((v) => v < 0).map((v) => -v));
  if (positive.length === 0 && negative.length === 0) return 0;
  const fits = (indexes: number[], k: number) => {
    if (indexes.length === 0) return true;
    const shifted = indexes.map((i) => Math.floor(i / 2 ** k));
    return Math.max(...shifted) - Math.min(...shifted) < maxSize;
  };
  for (let scale = maxScale; scale > -10; scale--) {
    const k = maxScale - scale;
    if (fits(positive, k) && fits(negative, k)) return scale;
  }
  return -10;
}

/**
 * Whether the data model's reference method for scale > 0, floor(ln(value) * log2(e) * 2^scale),
 * puts the normal `value` (not a power of two) outside its binary octave (2^E, 2^(E+1)): one
 * bucket across the power of two it sits beside, e.g. 255.99999999999994 into 256's next bucket.
 * The scale does not matter: ln(value) * (log2(e) * 2^scale) rounds as ln(value) * log2(e) times
 * 2^scale, and floor(2^scale * u) >> scale = floor(u). Past 2^1023 both implementations clamp to
 * the last bucket, which is in the octave.
 */
export function logarithmLeavesOctave(value: number): boolean {
  if (value <= MIN_NORMAL) return false;
  const { exponent, significand } = decompose(value);
  if (significand === 1n << 52n) return false;
  const octave = Math.floor(Math.log(value) * Math.LOG2E);
  return octave < exponent || (octave > exponent && exponent < 1023);
}

/**
 * The bucket the data model's reference method for scale > 0 gives, floor(ln(value) * log2(e) *
 * 2^scale), for a value that is not a power of two: the spec permits it to differ from the exact
 * index near a boundary ("producers are not required to perform an exact computation").
 */
export function logarithmIndex(value: number, scale: number): number {
  return Math.floor(Math.log(value) * (Math.LOG2E * 2 ** scale));
}
