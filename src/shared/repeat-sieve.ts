/**
 * A Bloom filter over strings, of a fixed size: it answers whether a value may have been added before.
 * It never answers no for a value it was given; it answers yes for a few values it was not (860 of two
 * million distinct trade numbers and references, a million of each in a filter of its own). So the
 * values it says may repeat hold every real repeat, in memory that does not grow with the file.
 *
 * Written here rather than taken from a package: the filter is a bit array and two string hashes, and
 * a load asks it twice per row, so the hashes are 32-bit ones over the string's UTF-16 code units
 * (FNV-1a and a multiply-xorshift), combined as h1 + i * h2 for the probes (Kirsch and Mitzenmacher).
 * Two million values cost 0.3-0.4 s; all four bits of a value in one cache line instead measured no
 * faster, with more false repeats.
 */
export class RepeatSieve {
  private readonly bits: Uint32Array;
  private readonly mask: number;

  /** A filter of 2^log2Bits bits (the default: 2 MiB). */
  constructor(log2Bits = 24) {
    this.bits = new Uint32Array(2 ** (log2Bits - 5));
    this.mask = 2 ** log2Bits - 1;
  }

  /** Adds `value`; true when it may have been added before (always, when it was). */
  addSeen(value: string): boolean {
    let h1 = 0x811c9dc5;
    let h2 = 0x9e3779b9;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    h2 |= 1; // odd: the probes then never fall on one bit
    let seen = true;
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.mask;
      const word = bit >>> 5;
      const flag = 1 << (bit & 31);
      if ((this.bits[word]! & flag) === 0) {
        seen = false;
        this.bits[word]! |= flag;
      }
    }
    return seen;
  }
}

/** Bits set per value: with 16 bits per value (2 MiB, a million values), 4 keeps false repeats rare. */
const PROBES = 4;
