import { describe, expect, it } from 'vitest';
import { formatSeries, instrumentFromFields, parseSeries } from '../../src/ingest/normalise/series.js';
import { fc } from '../support/property.js';

const FUTURES = 'FGHJKMNQUVXZ';
const CALLS = 'ABCDEFGHIJKL';
const PUTS = 'MNOPQRSTUVWX';

const root = fc
  .array(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'), { minLength: 1, maxLength: 6 })
  .map((a) => a.join(''));

/** A strike as written in a name, with its canonical form: integers, and decimals with or without trailing zeros. */
const strike = fc.oneof(
  fc.integer({ min: 1, max: 99_999_999 }).map((n) => ({ text: String(n), canonical: String(n) })),
  fc
    .tuple(
      fc.integer({ min: 0, max: 99_999 }),
      fc.integer({ min: 1, max: 999 }),
      fc.integer({ min: 0, max: 2 }),
    )
    .map(([i, f, zeros]) => {
      const frac = String(f).padStart(3, '0').replace(/0+$/, '');
      return { text: `${i}.${frac}${'0'.repeat(zeros)}`, canonical: `${i}.${frac}` };
    }),
);

/** A series spelled out, with the instrument it must parse to and the business date that resolves its year. */
const series = fc
  .record({
    root,
    type: fc.constantFrom('F' as const, 'C' as const, 'P' as const),
    month: fc.integer({ min: 1, max: 12 }),
    businessYear: fc.integer({ min: 2010, max: 2030 }),
    yearOffset: fc.integer({ min: -1, max: 8 }),
    businessMonth: fc.integer({ min: 1, max: 12 }),
    businessDay: fc.integer({ min: 1, max: 28 }),
    strike,
  })
  .map((s) => {
    const year = s.businessYear + s.yearOffset;
    const letters = s.type === 'F' ? FUTURES : s.type === 'C' ? CALLS : PUTS;
    const strikeText = s.type === 'F' ? '' : s.strike.text;
    const pad = (n: number) => String(n).padStart(2, '0');
    return {
      name: `${s.root}${strikeText}${letters.charAt(s.month - 1)}${year % 10}`,
      businessDate: `${s.businessYear}-${pad(s.businessMonth)}-${pad(s.businessDay)}`,
      canonicalName: `${s.root}${s.type === 'F' ? '' : s.strike.canonical}${letters.charAt(s.month - 1)}${year % 10}`,
      instrument: {
        root: s.root,
        type: s.type,
        expiry: `${year}-${pad(s.month)}`,
        strike: s.type === 'F' ? null : s.strike.canonical,
      },
    };
  });

describe('series properties', () => {
  it('parses every root, month code, year digit and strike to the instrument it spells', () => {
    fc.assert(
      fc.property(series, ({ name, businessDate, instrument }) => {
        expect(parseSeries(name, businessDate)).toEqual({ ok: true, value: instrument });
      }),
    );
  });

  it('format is the inverse of parse, up to the canonical strike', () => {
    fc.assert(
      fc.property(series, ({ name, businessDate, canonicalName, instrument }) => {
        const parsed = parseSeries(name, businessDate);
        if (!parsed.ok) throw new Error(parsed.issue.message);
        expect(formatSeries(parsed.value)).toBe(canonicalName);
        expect(parseSeries(formatSeries(instrument), businessDate)).toEqual({ ok: true, value: instrument });
      }),
    );
  });

  it('padding from fixed-width fields changes nothing', () => {
    fc.assert(
      fc.property(series, fc.nat(8), fc.nat(8), ({ name, businessDate, instrument }, left, right) => {
        const padded = `${' '.repeat(left)}${name}${' '.repeat(right)}`;
        expect(parseSeries(padded, businessDate)).toEqual({ ok: true, value: instrument });
      }),
    );
  });

  it('the same instrument given as BOS fields is equal', () => {
    fc.assert(
      fc.property(series, ({ instrument }) => {
        const r = instrumentFromFields(
          instrument.root,
          instrument.type,
          instrument.expiry,
          instrument.strike ?? '',
        );
        expect(r).toEqual({ ok: true, value: instrument });
      }),
    );
  });
});
