/** Width of the hash-total field of a Genium fixed-width trailer: 18 digits. */
export const TRAILER_HASH_DIGITS = 18;

/**
 * Sum of non-negative integers keeping only the last `digits` digits, as a trailer hash total does
 * ("on overflow the leading digits are dropped"): the sum modulo 10^digits.
 * Throws RangeError on a negative value or a bad digit count: callers pass parsed quantities.
 */
export function hashTotal(values: Iterable<bigint>, digits: number = TRAILER_HASH_DIGITS): bigint {
  const h = new HashTotal(digits);
  for (const v of values) h.add(v);
  return h.value();
}

/** A hash total accumulated one detail record at a time, so a streamed file needs no second pass. */
export class HashTotal {
  private readonly modulus: bigint;
  private readonly digits: number;
  private sum = 0n;

  /** Starts an empty total over a field of `digits` digits (default 18). */
  constructor(digits: number = TRAILER_HASH_DIGITS) {
    if (!Number.isInteger(digits) || digits < 1) {
      throw new RangeError(`HashTotal: expected a positive whole number of digits, got ${digits}`);
    }
    this.digits = digits;
    this.modulus = 10n ** BigInt(digits);
  }

  /** Adds one non-negative value; reduces at once so the running sum stays small. */
  add(v: bigint): this {
    if (v < 0n) throw new RangeError(`HashTotal: expected a non-negative value, got ${v}`);
    this.sum = (this.sum + v) % this.modulus;
    return this;
  }

  /** The total so far: the sum modulo 10^digits. */
  value(): bigint {
    return this.sum;
  }

  /**
   * Whether a trailer's hash-total field equals the total: digits only (zero padded, surrounding
   * spaces ignored), at most `digits` long. Anything else is not a match.
   */
  matches(text: string): boolean {
    const s = text.trim();
    if (!/^[0-9]+$/.test(s) || s.length > this.digits) return false;
    return BigInt(s) === this.sum;
  }
}
