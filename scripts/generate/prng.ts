/** Small, well-known seeded PRNGs: mulberry32 for streams, a 32-bit mixer for stateless per-row draws. */

/** mulberry32 (Tommy Ettinger): returns uint32 values; period 2^32, good enough for test data. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** murmur3's fmix32 finaliser: a bijective 32-bit mixer. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A well-mixed 32-bit seed for row `index` of stream `salt` under `seed`: rows are independent. */
export function rowSeed(seed: number, index: number, salt: number): number {
  const hi = Math.floor(index / 0x100000000);
  return fmix32(fmix32(fmix32(seed ^ Math.imul(salt, 0x9e3779b9)) ^ (index >>> 0)) ^ hi);
}

/** Convenience wrapper with integer helpers over a uint32 source. */
export class Rng {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** A fresh generator for row `index` of stream `salt`. */
  static forRow(seed: number, index: number, salt: number): Rng {
    return new Rng(rowSeed(seed, index, salt));
  }

  /** uint32. */
  u32(): number {
    return this.next();
  }

  /** Integer in [min, max], inclusive (modulo bias is irrelevant for test data). */
  int(min: number, max: number): number {
    return min + (this.next() % (max - min + 1));
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    const item = items[this.next() % items.length];
    if (item === undefined) throw new Error('pick from an empty array');
    return item;
  }

  /** True with probability numerator / 2^32 scaled from `p` in [0, 1]. */
  chance(p: number): boolean {
    return this.next() < p * 0x100000000;
  }
}
