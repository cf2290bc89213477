import { describe, expect, it } from 'vitest';
import { parseBusinessDate } from '../../src/model/dates.js';

describe('parseBusinessDate', () => {
  it('returns a real day unchanged, leap days included', () => {
    for (const d of ['2019-05-06', '2020-02-29', '2000-02-29', '2019-12-31'])
      expect(parseBusinessDate(d)).toBe(d);
  });

  it('calls a well-formed impossible date "not a calendar date", saying why', () => {
    expect(() => parseBusinessDate('2019-02-30')).toThrow(
      '--date 2019-02-30 is not a calendar date: February 2019 has 28 days',
    );
    expect(() => parseBusinessDate('1900-02-29', '--since')).toThrow(
      '--since 1900-02-29 is not a calendar date: February 1900 has 28 days',
    );
    expect(() => parseBusinessDate('2019-04-31', null)).toThrow(
      /^2019-04-31 is not a calendar date: April 2019 has 30 days$/,
    );
    expect(() => parseBusinessDate('2019-13-01')).toThrow('there is no month 13');
    expect(() => parseBusinessDate('2019-05-00')).toThrow('May 2019 has 31 days');
  });

  it('calls anything else "not written YYYY-MM-DD"', () => {
    for (const d of ['2019-5-6', '06/05/2019', '20190506', '', ' 2019-05-06'])
      expect(() => parseBusinessDate(d)).toThrow(`--date "${d}" is not written YYYY-MM-DD`);
  });
});
