import { describe, expect, it } from 'vitest';
import { HashTotal, hashTotal } from '../../src/ingest/normalise/hash-total.js';
import { fc } from '../support/property.js';

const values = fc.array(fc.bigInt({ min: 0n, max: 10n ** 22n }), { maxLength: 50 });
const digitCount = fc.integer({ min: 1, max: 24 });

describe('hash total properties', () => {
  it('equals the sum modulo 10^N', () => {
    fc.assert(
      fc.property(values, digitCount, (vs, n) => {
        const sum = vs.reduce((a, b) => a + b, 0n);
        expect(hashTotal(vs, n)).toBe(sum % 10n ** BigInt(n));
      }),
    );
  });

  it('incremental equals batch, and totals of two parts combine', () => {
    fc.assert(
      fc.property(values, values, digitCount, (a, b, n) => {
        const h = new HashTotal(n);
        for (const v of [...a, ...b]) h.add(v);
        expect(h.value()).toBe(hashTotal([...a, ...b], n));
        expect(h.value()).toBe(hashTotal([hashTotal(a, n), hashTotal(b, n)], n));
      }),
    );
  });

  it('matches its own zero-padded field and no other value', () => {
    fc.assert(
      fc.property(values, digitCount, (vs, n) => {
        const h = new HashTotal(n);
        vs.forEach((v) => h.add(v));
        const field = h.value().toString().padStart(n, '0');
        expect(h.matches(field)).toBe(true);
        const other = ((h.value() + 1n) % 10n ** BigInt(n)).toString().padStart(n, '0');
        expect(h.matches(other)).toBe(false);
      }),
    );
  });
});
