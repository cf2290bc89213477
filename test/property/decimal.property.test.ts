import { describe, expect, it } from 'vitest';
import { formatDecimal, parseDecimal, readDecimalText } from '../../src/shared/decimal.js';
import { fc } from '../support/property.js';

const digits = (min: number, max: number) =>
  fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((a) => a.join(''));

/** A decimal as text parts: sign, 1-30 integer digits (leading zeros allowed), 0-10 fraction digits. */
const decimalParts = fc.record({
  sign: fc.constantFrom('', '-', '+'),
  int: digits(1, 30),
  frac: digits(0, 10),
});

/** The canonical string computed by string operations alone: the oracle for parse + format. */
function canonical(sign: string, int: string, frac: string): string {
  const i = int.replace(/^0+(?=[0-9])/, '');
  const f = frac.replace(/0+$/, '');
  const body = f === '' ? i : `${i}.${f}`;
  return sign === '-' && /[1-9]/.test(body) ? `-${body}` : body;
}

/** Groups integer digits by threes from the right. */
function group(int: string, sep: string): string {
  return int.replace(/\B(?=([0-9]{3})+$)/g, sep);
}

function text(sign: string, int: string, frac: string): string {
  return `${sign}${int}${frac === '' ? '' : `.${frac}`}`;
}

describe('decimal properties', () => {
  it('parse then format gives the canonical string', () => {
    fc.assert(
      fc.property(decimalParts, ({ sign, int, frac }) => {
        const r = parseDecimal(text(sign, int, frac));
        expect(r.ok && formatDecimal(r.value)).toBe(canonical(sign, int, frac));
      }),
    );
  });

  it('reads the canonical text itself, without a decimal object, with or without a thousands separator', () => {
    fc.assert(
      fc.property(decimalParts, fc.constantFrom(null, ','), ({ sign, int, frac }, thousands) => {
        const r = readDecimalText(text(sign, int, frac), { thousands });
        expect(r.ok && r.value).toBe(canonical(sign, int, frac));
      }),
    );
  });

  it('format then parse gives back the same value', () => {
    fc.assert(
      fc.property(decimalParts, ({ sign, int, frac }) => {
        const first = parseDecimal(text(sign, int, frac));
        if (!first.ok) throw new Error(first.issue.message);
        const again = parseDecimal(formatDecimal(first.value));
        expect(again.ok && again.value.eq(first.value)).toBe(true);
      }),
    );
  });

  it('grouped thousands read the same as ungrouped digits', () => {
    fc.assert(
      fc.property(decimalParts, fc.constantFrom(',', ' ', "'"), ({ sign, int, frac }, sep) => {
        const plain = int.replace(/^0+(?=[0-9])/, '');
        const r = parseDecimal(text(sign, group(plain, sep), frac), { thousands: sep });
        expect(r.ok && formatDecimal(r.value)).toBe(canonical(sign, int, frac));
      }),
    );
  });

  it('one separator is accepted exactly where grouping puts it', () => {
    fc.assert(
      fc.property(digits(2, 12), fc.nat(), (int, at) => {
        const pos = 1 + (at % (int.length - 1));
        const withSep = `${int.slice(0, pos)},${int.slice(pos)}`;
        const valid = int.length - pos === 3 && pos <= 3;
        const r = parseDecimal(withSep, { thousands: ',' });
        expect(r.ok ? 'ok' : r.issue.code).toBe(valid ? 'ok' : 'BAD_DECIMAL');
      }),
    );
  });

  it('implied decimals place the point n digits from the right', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('', '-'),
        digits(1, 30),
        fc.integer({ min: 0, max: 10 }),
        (sign, raw, n) => {
          const padded = raw.padStart(n + 1, '0');
          const expected = canonical(
            sign,
            padded.slice(0, padded.length - n),
            padded.slice(padded.length - n),
          );
          const r = parseDecimal(`${sign}${raw}`, { impliedDecimals: n });
          expect(r.ok && formatDecimal(r.value)).toBe(expected);
        },
      ),
    );
  });

  it('never reads a point when decimals are implied', () => {
    fc.assert(
      fc.property(digits(1, 10), digits(1, 5), fc.integer({ min: 1, max: 6 }), (int, frac, n) => {
        const r = parseDecimal(`${int}.${frac}`, { impliedDecimals: n });
        expect(r.ok ? 'ok' : r.issue.code).toBe('BAD_DECIMAL');
      }),
    );
  });
});
