import { describe, expect, it } from 'vitest';
import { HashTotal, hashTotal, TRAILER_HASH_DIGITS } from '../../src/ingest/normalise/hash-total.js';

describe('hashTotal', () => {
  it('sums values', () => {
    expect(hashTotal([1n, 2n, 3n], 18)).toBe(6n);
    expect(hashTotal([], 18)).toBe(0n);
    expect(TRAILER_HASH_DIGITS).toBe(18);
  });

  it('drops the leading digits on overflow', () => {
    expect(hashTotal([10n ** 18n - 1n, 2n], 18)).toBe(1n);
    expect(hashTotal([999n, 1n], 3)).toBe(0n);
    expect(hashTotal([10n ** 25n + 42n], 18)).toBe(42n);
  });

  it('accepts any iterable, a generator included', () => {
    function* quantities(): Generator<bigint> {
      yield 5n;
      yield 7n;
    }
    expect(hashTotal(quantities(), 18)).toBe(12n);
  });

  it('refuses negative values and bad digit counts', () => {
    expect(() => hashTotal([-1n], 18)).toThrow(RangeError);
    expect(() => hashTotal([1n], 0)).toThrow(RangeError);
    expect(() => hashTotal([1n], 2.5)).toThrow(RangeError);
  });
});

describe('HashTotal', () => {
  it('accumulates incrementally', () => {
    const h = new HashTotal(18);
    h.add(3n).add(4n);
    expect(h.value()).toBe(7n);
  });

  it('matches a zero-padded trailer field', () => {
    const h = new HashTotal(18).add(1234n);
    expect(h.matches('000000000000001234')).toBe(true);
    expect(h.matches(' 1234 ')).toBe(true);
    expect(h.matches('000000000000001235')).toBe(false);
  });

  it('does not match text that is not an 18-digit number', () => {
    const h = new HashTotal(18).add(0n);
    for (const text of ['', '   ', 'abc', '-0', '+0', '0.0', '1e3', '0000000000000000000']) {
      expect(h.matches(text), text).toBe(false);
    }
    expect(h.matches('000000000000000000')).toBe(true);
  });
});
