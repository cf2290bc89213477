import { describe, expect, it } from 'vitest';
import {
  formatSeries,
  instrumentFromFields,
  parseSeries,
  storedExpiry,
  type Instrument,
} from '../../src/ingest/normalise/series.js';
import type { Result } from '../../src/shared/result.js';

const BD = '2019-05-06';

function show<T>(r: Result<T>): T | string {
  return r.ok ? r.value : `!${r.issue.code}`;
}

describe('parseSeries', () => {
  it('reads a future', () => {
    expect(show(parseSeries('HSIK9', BD))).toEqual({
      root: 'HSI',
      type: 'F',
      expiry: '2019-05',
      strike: null,
    });
    expect(show(parseSeries('MHIZ9', BD))).toEqual({
      root: 'MHI',
      type: 'F',
      expiry: '2019-12',
      strike: null,
    });
  });

  it('reads calls and puts', () => {
    expect(show(parseSeries('HSI28000E9', BD))).toEqual({
      root: 'HSI',
      type: 'C',
      expiry: '2019-05',
      strike: '28000',
    });
    expect(show(parseSeries('HSI28000Q9', BD))).toEqual({
      root: 'HSI',
      type: 'P',
      expiry: '2019-05',
      strike: '28000',
    });
    expect(show(parseSeries('HSI28000A9', BD))).toMatchObject({ type: 'C', expiry: '2019-01' });
    expect(show(parseSeries('HSI28000L9', BD))).toMatchObject({ type: 'C', expiry: '2019-12' });
    expect(show(parseSeries('HSI28000M9', BD))).toMatchObject({ type: 'P', expiry: '2019-01' });
    expect(show(parseSeries('HSI28000X9', BD))).toMatchObject({ type: 'P', expiry: '2019-12' });
  });

  it('lets the strike, not the letter, mark an option (M is June for a future, January for a put)', () => {
    expect(show(parseSeries('HSIM9', BD))).toEqual({
      root: 'HSI',
      type: 'F',
      expiry: '2019-06',
      strike: null,
    });
    expect(show(parseSeries('HSI100M9', BD))).toEqual({
      root: 'HSI',
      type: 'P',
      expiry: '2019-01',
      strike: '100',
    });
    expect(show(parseSeries('HSIF9', BD))).toMatchObject({ type: 'F', expiry: '2019-01' });
    expect(show(parseSeries('HSI100F9', BD))).toMatchObject({ type: 'C', expiry: '2019-06' });
  });

  it('reads decimal stock-option strikes into canonical strings', () => {
    expect(show(parseSeries('TCH310.00E9', BD))).toEqual({
      root: 'TCH',
      type: 'C',
      expiry: '2019-05',
      strike: '310',
    });
    expect(show(parseSeries('HKB52.50Q9', BD))).toEqual({
      root: 'HKB',
      type: 'P',
      expiry: '2019-05',
      strike: '52.5',
    });
  });

  it('accepts roots of 1 to 6 letters', () => {
    expect(show(parseSeries('AK9', BD))).toMatchObject({ root: 'A' });
    expect(show(parseSeries('ABCDEFK9', BD))).toMatchObject({ root: 'ABCDEF' });
    expect(show(parseSeries('ABCDEFGK9', BD))).toBe('!BAD_SERIES');
  });

  it('resolves the year digit into [businessYear-1, businessYear+8]', () => {
    expect(show(parseSeries('HSIK8', BD))).toMatchObject({ expiry: '2018-05' });
    expect(show(parseSeries('HSIK7', BD))).toMatchObject({ expiry: '2027-05' });
    expect(show(parseSeries('HSIK0', BD))).toMatchObject({ expiry: '2020-05' });
    expect(show(parseSeries('HSIZ9', '2020-01-02'))).toMatchObject({ expiry: '2019-12' });
    expect(show(parseSeries('HSIZ8', '2020-01-02'))).toMatchObject({ expiry: '2028-12' });
  });

  it('trims the padding of fixed-width fields', () => {
    expect(show(parseSeries('  HSIK9         ', BD))).toMatchObject({ root: 'HSI', type: 'F' });
  });

  it('rejects malformed names with BAD_SERIES naming the problem', () => {
    const cases: [string, string][] = [
      ['HSI', 'root letters, optional strike'],
      ['HSIK', 'root letters, optional strike'],
      ['HSIKK', 'root letters, optional strike'],
      ['123K9', 'root letters, optional strike'],
      ['hsik9', 'root letters, optional strike'],
      ['HSI K9', 'root letters, optional strike'],
      ['HSI28000.E9', 'root letters, optional strike'],
      ['HSI28000E99', 'root letters, optional strike'],
      ['HSIA9', 'futures month code must be one of FGHJKMNQUVXZ, got "A"'],
      ['HSI28000Y9', 'option month code must be A-L (calls) or M-X (puts), got "Y"'],
      ['HSI28000Z9', 'option month code'],
      ['HSI0E9', 'positive strike'],
      ['ABCDEFGK9', 'root must be 1 to 6 letters'],
    ];
    for (const [name, why] of cases) {
      const r = parseSeries(name, BD);
      expect(r.ok, name).toBe(false);
      if (!r.ok) {
        expect(r.issue.code, name).toBe('BAD_SERIES');
        expect(r.issue.message, name).toContain(why);
        expect(r.issue.message, name).toContain(`got "${name}"`);
      }
    }
  });

  it('fails empty names with MISSING_VALUE and a bad business date with BAD_DATE', () => {
    expect(show(parseSeries('   ', BD))).toBe('!MISSING_VALUE');
    expect(show(parseSeries('HSIK9', '2019-5-6'))).toBe('!BAD_DATE');
  });
});

describe('formatSeries', () => {
  it('is the inverse of parseSeries', () => {
    for (const name of ['HSIK9', 'HSI28000E9', 'HSI28000Q9', 'HKB52.5Q9', 'MHIZ0', 'HSIM9']) {
      const r = parseSeries(name, BD);
      expect(r.ok && formatSeries(r.value), name).toBe(name);
    }
  });

  it('writes the canonical strike, so 310.00 comes back as 310', () => {
    const r = parseSeries('TCH310.00E9', BD);
    expect(r.ok && formatSeries(r.value)).toBe('TCH310E9');
  });

  it('throws on an instrument no parser produces', () => {
    const bad: Instrument[] = [
      { root: 'HSI', type: 'F', expiry: '2019-05', strike: '100' },
      { root: 'HSI', type: 'C', expiry: '2019-05', strike: null },
      { root: 'HSI', type: 'C', expiry: '2019-05', strike: '1e5' },
      { root: 'HSI', type: 'F', expiry: '2019-13', strike: null },
      { root: 'hsi', type: 'F', expiry: '2019-05', strike: null },
    ];
    for (const inst of bad) expect(() => formatSeries(inst), JSON.stringify(inst)).toThrow(RangeError);
  });
});

describe('instrumentFromFields', () => {
  it('builds futures and options', () => {
    expect(show(instrumentFromFields('HSI', 'F', '2019-05', ''))).toEqual({
      root: 'HSI',
      type: 'F',
      expiry: '2019-05',
      strike: null,
    });
    expect(show(instrumentFromFields(' HSI ', 'C', '2019-05', '28,000'))).toEqual({
      root: 'HSI',
      type: 'C',
      expiry: '2019-05',
      strike: '28000',
    });
    expect(show(instrumentFromFields('TCH', 'P', '2019-05', '310.00'))).toMatchObject({ strike: '310' });
  });

  it('names the bad field', () => {
    const cases: [string, string, string, string, string][] = [
      ['hsi', 'F', '2019-05', '', 'root'],
      ['', 'F', '2019-05', '', 'root'],
      ['HSI', 'X', '2019-05', '', 'type'],
      ['HSI', 'f', '2019-05', '', 'type'],
      ['HSI', 'F', '2019-13', '', 'expiry'],
      ['HSI', 'F', '2019-00', '', 'expiry'],
      ['HSI', 'F', '2019-5', '', 'expiry'],
      ['HSI', 'F', '05/2019', '', 'expiry'],
      ['HSI', 'F', '2019-05', '28000', 'strike'],
      ['HSI', 'C', '2019-05', '', 'strike'],
      ['HSI', 'C', '2019-05', '-5', 'strike'],
      ['HSI', 'C', '2019-05', '0', 'strike'],
      ['HSI', 'C', '2019-05', '28,00', 'strike'],
    ];
    for (const [root, type, expiry, strike, field] of cases) {
      const r = instrumentFromFields(root, type, expiry, strike);
      expect(r.ok ? 'ok' : `${r.issue.code}/${r.issue.field}`, `${root}|${type}|${expiry}|${strike}`).toBe(
        `BAD_INSTRUMENT/${field}`,
      );
    }
  });
});

describe('calendar spreads (combination series)', () => {
  it('reads HSIK9/M9 as a future with its near and far legs', () => {
    expect(show(parseSeries('HSIK9/M9', BD))).toEqual({
      root: 'HSI',
      type: 'F',
      expiry: '2019-05',
      strike: null,
      far: '2019-06',
    });
  });

  it('resolves each leg year against the business date, across a year end', () => {
    // On a business date in December 2019 the digit 0 is 2020: January and February 2020.
    expect(show(parseSeries('HSIF0/G0', '2019-12-30'))).toMatchObject({ expiry: '2020-01', far: '2020-02' });
    // December 2019 against January 2020: the far leg is the next year.
    expect(show(parseSeries('HSIZ9/F0', '2019-12-02'))).toMatchObject({ expiry: '2019-12', far: '2020-01' });
    // A year apart.
    expect(show(parseSeries('MHIZ9/Z0', BD))).toMatchObject({
      root: 'MHI',
      expiry: '2019-12',
      far: '2020-12',
    });
  });

  it('rejects a far leg before or on the near leg, unknown month letters and bad shapes', () => {
    const cases: [string, string][] = [
      ['HSIM9/K9', 'the far leg 2019-05 must expire after the near leg 2019-06'],
      ['HSIK9/K9', 'must expire after the near leg'],
      ['HSIG0/F0', 'must expire after the near leg'],
      ['HSIA9/M9', 'near month code must be one of FGHJKMNQUVXZ, got "A"'],
      ['HSIK9/B9', 'far month code must be one of FGHJKMNQUVXZ, got "B"'],
      ['HSI28000E9/F9', 'near month letter and year digit'],
      ['HSIK9/M', 'near month letter and year digit'],
      ['HSIK9/M9/N9', 'near month letter and year digit'],
      ['HSIK9/HHIM9', 'near month letter and year digit'],
      ['/M9', 'near month letter and year digit'],
      ['ABCDEFGK9/M9', 'root must be 1 to 6 letters'],
    ];
    for (const [name, why] of cases) {
      const r = parseSeries(name, BD);
      expect(r.ok, name).toBe(false);
      if (!r.ok) {
        expect(r.issue.code, name).toBe('BAD_SERIES');
        expect(r.issue.message, name).toContain(why);
        expect(r.issue.message, name).toContain(`got "${name}"`);
      }
    }
  });

  it('formats a spread back to its name and stores both legs in the expiry', () => {
    for (const [name, bd] of [
      ['HSIK9/M9', BD],
      ['HSIF0/G0', '2019-12-30'],
      ['HSIZ9/F0', '2019-12-02'],
    ] as const) {
      const r = parseSeries(name, bd);
      expect(r.ok && formatSeries(r.value), name).toBe(name);
    }
    const r = parseSeries('HSIZ9/F0', '2019-12-02');
    expect(r.ok && storedExpiry(r.value)).toBe('2019-12/2020-01');
    const plain = parseSeries('HSIK9', BD);
    expect(plain.ok && storedExpiry(plain.value)).toBe('2019-05');
    expect(() =>
      formatSeries({ root: 'HSI', type: 'F', expiry: '2019-06', strike: null, far: '2019-05' }),
    ).toThrow(RangeError);
    expect(() =>
      formatSeries({ root: 'HSI', type: 'C', expiry: '2019-05', strike: '100', far: '2019-06' }),
    ).toThrow(RangeError);
  });

  it('builds a spread from fields whose expiry names both legs', () => {
    expect(show(instrumentFromFields('HSI', 'F', '2019-05/2019-06', ''))).toEqual({
      root: 'HSI',
      type: 'F',
      expiry: '2019-05',
      strike: null,
      far: '2019-06',
    });
    const cases: [string, string, string][] = [
      ['F', '2019-06/2019-05', 'expiry'],
      ['F', '2019-05/2019-13', 'expiry'],
      ['F', '2019-05/2019-06/2019-07', 'expiry'],
      ['C', '2019-05/2019-06', 'type'],
    ];
    for (const [type, expiry, field] of cases) {
      const r = instrumentFromFields('HSI', type, expiry, type === 'C' ? '100' : '');
      expect(r.ok ? 'ok' : `${r.issue.code}/${r.issue.field}`, `${type}|${expiry}`).toBe(
        `BAD_INSTRUMENT/${field}`,
      );
    }
  });
});
