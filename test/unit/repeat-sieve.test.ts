import { describe, expect, it } from 'vitest';
import { RepeatSieve } from '../../src/shared/repeat-sieve.js';
import { fc } from '../support/property.js';

describe('RepeatSieve', () => {
  it('says "may have been seen" of every value added before, whatever the size, and the same each time', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('1', '2', 'a', 'é', '中', '\u0000'), maxLength: 4 }), {
          maxLength: 300,
        }),
        fc.integer({ min: 5, max: 16 }),
        (values, log2Bits) => {
          const sieve = new RepeatSieve(log2Bits);
          const again = new RepeatSieve(log2Bits);
          const seen = new Set<string>();
          for (const v of values) {
            const answer = sieve.addSeen(v);
            if (seen.has(v)) expect(answer).toBe(true);
            expect(again.addSeen(v)).toBe(answer);
            seen.add(v);
          }
        },
      ),
    );
  });

  it('seldom says it of a new value: about 2 in 1,000 of a million distinct trade numbers at the default size', () => {
    const sieve = new RepeatSieve();
    let falseRepeats = 0;
    for (let i = 0; i < 1_000_000; i++) if (sieve.addSeen(String(100_000_000 + i))) falseRepeats++;
    expect(falseRepeats).toBeLessThan(5_000);
  });
});
