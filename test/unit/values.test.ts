import { describe, expect, it } from 'vitest';
import { hkWallClockToInstant, parseTime, parseTimestamp } from '../../src/ingest/normalise/values.js';
import { addDays, dateFromDayNumber, dayNumber, parseDate, weekday } from '../../src/model/dates.js';
import type { Result } from '../../src/shared/result.js';
import { fc } from '../support/property.js';

/** The value, or `!CODE` for a failure, so expectations read as one line. */
function show<T>(r: Result<T>): T | string {
  return r.ok ? r.value : `!${r.issue.code}`;
}

describe('parseDate', () => {
  it('reads each format into ISO', () => {
    expect(show(parseDate('20190503', 'YYYYMMDD'))).toBe('2019-05-03');
    expect(show(parseDate('03/05/2019', 'DD/MM/YYYY'))).toBe('2019-05-03');
    expect(show(parseDate('2019-05-03', 'YYYY-MM-DD'))).toBe('2019-05-03');
    expect(show(parseDate('  20190503  ', 'YYYYMMDD'))).toBe('2019-05-03');
  });

  it('reads DD/MM/YYYY as day first, and accepts one-digit day and month', () => {
    expect(show(parseDate('05/03/2019', 'DD/MM/YYYY'))).toBe('2019-03-05');
    expect(show(parseDate('5/3/2019', 'DD/MM/YYYY'))).toBe('2019-03-05');
  });

  it('rejects impossible calendar dates', () => {
    expect(show(parseDate('20190431', 'YYYYMMDD'))).toBe('!BAD_DATE');
    expect(show(parseDate('20190229', 'YYYYMMDD'))).toBe('!BAD_DATE');
    expect(show(parseDate('20190230', 'YYYYMMDD'))).toBe('!BAD_DATE');
    expect(show(parseDate('20191301', 'YYYYMMDD'))).toBe('!BAD_DATE');
    expect(show(parseDate('20190500', 'YYYYMMDD'))).toBe('!BAD_DATE');
    expect(show(parseDate('00000000', 'YYYYMMDD'))).toBe('!BAD_DATE');
    expect(show(parseDate('31/04/2019', 'DD/MM/YYYY'))).toBe('!BAD_DATE');
  });

  it('gets leap years right', () => {
    expect(show(parseDate('20200229', 'YYYYMMDD'))).toBe('2020-02-29');
    expect(show(parseDate('20000229', 'YYYYMMDD'))).toBe('2000-02-29');
    expect(show(parseDate('19000229', 'YYYYMMDD'))).toBe('!BAD_DATE');
    expect(show(parseDate('21000229', 'YYYYMMDD'))).toBe('!BAD_DATE');
  });

  it('rejects the wrong layout and says what it expected', () => {
    const r = parseDate('2019053', 'YYYYMMDD');
    expect(r.ok ? '' : r.issue.message).toBe('expected a date YYYYMMDD, got "2019053"');
    expect(show(parseDate('2019-05-03', 'YYYYMMDD'))).toBe('!BAD_DATE');
    expect(show(parseDate('2019/05/03', 'YYYY-MM-DD'))).toBe('!BAD_DATE');
    expect(show(parseDate('2019-5-3', 'YYYY-MM-DD'))).toBe('!BAD_DATE');
    expect(show(parseDate('03-05-2019', 'DD/MM/YYYY'))).toBe('!BAD_DATE');
    expect(show(parseDate('May 3, 2019', 'YYYY-MM-DD'))).toBe('!BAD_DATE');
  });

  it('fails empty text with MISSING_VALUE', () => {
    expect(show(parseDate('        ', 'YYYYMMDD'))).toBe('!MISSING_VALUE');
  });
});

describe('parseTime', () => {
  it('reads each format into HH:MM:SS', () => {
    expect(show(parseTime('231003', 'HHMMSS'))).toBe('23:10:03');
    expect(show(parseTime('23:10:03', 'HH:MM:SS'))).toBe('23:10:03');
    expect(show(parseTime('9:05:03', 'HH:MM:SS'))).toBe('09:05:03');
    expect(show(parseTime('000000', 'HHMMSS'))).toBe('00:00:00');
  });

  it('rejects out-of-range and malformed times', () => {
    for (const bad of ['240000', '236000', '235960', '2310', '23100', 'ab1003']) {
      expect(show(parseTime(bad, 'HHMMSS')), bad).toBe('!BAD_TIME');
    }
    for (const bad of ['24:00:00', '23:10', '23:10:03.5', '231003']) {
      expect(show(parseTime(bad, 'HH:MM:SS')), bad).toBe('!BAD_TIME');
    }
    expect(show(parseTime('', 'HHMMSS'))).toBe('!MISSING_VALUE');
  });
});

describe('parseTimestamp', () => {
  it('reads ISO with a +08:00 offset into UTC and Hong Kong wall clock', () => {
    expect(show(parseTimestamp('2019-05-05T21:14:03+08:00', 'ISO_OFFSET'))).toEqual({
      instant: '2019-05-05T13:14:03.000Z',
      hkDate: '2019-05-05',
      hkTime: '21:14:03',
    });
  });

  it('reads Z and other offsets, crossing midnight in Hong Kong', () => {
    expect(show(parseTimestamp('2019-05-03T16:30:00Z', 'ISO_OFFSET'))).toEqual({
      instant: '2019-05-03T16:30:00.000Z',
      hkDate: '2019-05-04',
      hkTime: '00:30:00',
    });
    expect(show(parseTimestamp('2019-05-03T12:30:00-04:00', 'ISO_OFFSET'))).toEqual({
      instant: '2019-05-03T16:30:00.000Z',
      hkDate: '2019-05-04',
      hkTime: '00:30:00',
    });
    expect(show(parseTimestamp('2019-05-03T22:15:00+05:45', 'ISO_OFFSET'))).toEqual({
      instant: '2019-05-03T16:30:00.000Z',
      hkDate: '2019-05-04',
      hkTime: '00:30:00',
    });
  });

  it('keeps milliseconds and truncates finer fractions', () => {
    const r = parseTimestamp('2019-05-05T21:14:03.123456+08:00', 'ISO_OFFSET');
    expect(r.ok && r.value.instant).toBe('2019-05-05T13:14:03.123Z');
    const s = parseTimestamp('2019-05-05T21:14:03.5+08:00', 'ISO_OFFSET');
    expect(s.ok && s.value.instant).toBe('2019-05-05T13:14:03.500Z');
  });

  it('refuses an ISO timestamp without an offset because it would be ambiguous', () => {
    const r = parseTimestamp('2019-05-05T21:14:03', 'ISO_OFFSET');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issue.code).toBe('BAD_TIMESTAMP');
      expect(r.issue.message).toContain('ambiguous');
    }
  });

  it('refuses malformed ISO timestamps', () => {
    for (const bad of [
      '2019-05-05 21:14:03+08:00',
      '2019-05-05T21:14+08:00',
      '2019-05-31T24:00:00+08:00',
      '2019-04-31T21:14:03+08:00',
      '2019-05-05T21:14:03+0800',
      '2019-05-05T21:14:03+19:00',
      '2019-05-05T21:14:03+08:60',
      '2019-05-05T21:14:03.+08:00',
      '20190505211403',
    ]) {
      expect(show(parseTimestamp(bad, 'ISO_OFFSET')), bad).toBe('!BAD_TIMESTAMP');
    }
    expect(show(parseTimestamp('', 'ISO_OFFSET'))).toBe('!MISSING_VALUE');
  });

  it('reads 14 digits of Hong Kong wall-clock time', () => {
    expect(show(parseTimestamp('20190504003000', 'YYYYMMDDHHMMSS_HKT'))).toEqual({
      instant: '2019-05-03T16:30:00.000Z',
      hkDate: '2019-05-04',
      hkTime: '00:30:00',
    });
    for (const bad of ['2019050400300', '20190431003000', '20190504243000', '2019-05-04T00:30:00+08:00']) {
      expect(show(parseTimestamp(bad, 'YYYYMMDDHHMMSS_HKT')), bad).toBe('!BAD_TIMESTAMP');
    }
  });
});

describe('hkWallClockToInstant', () => {
  it('subtracts eight hours, crossing the date line back', () => {
    expect(show(hkWallClockToInstant('2019-05-04', '00:30:00'))).toBe('2019-05-03T16:30:00.000Z');
    expect(show(hkWallClockToInstant('2019-05-06', '09:15:00'))).toBe('2019-05-06T01:15:00.000Z');
  });

  it('fails on a bad date or time', () => {
    expect(show(hkWallClockToInstant('2019-02-29', '00:30:00'))).toBe('!BAD_DATE');
    expect(show(hkWallClockToInstant('2019-05-04', '00:30'))).toBe('!BAD_TIME');
  });
});

describe('day arithmetic', () => {
  it('counts days from 1970-01-01 and back', () => {
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dateFromDayNumber(dayNumber('2019-05-03'))).toBe('2019-05-03');
    expect(addDays('2019-02-28', 1)).toBe('2019-03-01');
    expect(addDays('2020-02-28', 1)).toBe('2020-02-29');
    expect(addDays('2019-01-01', -1)).toBe('2018-12-31');
  });

  it('names weekdays with 0 = Sunday', () => {
    expect(weekday('2019-05-03')).toBe(5);
    expect(weekday('2019-05-04')).toBe(6);
    expect(weekday('2019-05-05')).toBe(0);
    expect(weekday('1969-12-31')).toBe(3);
  });
});

describe('parseTimestamp with +08:00 (Hong Kong time as written)', () => {
  it('gives the instant, date and time that the same instant written in UTC gives (property)', () => {
    fc.assert(
      fc.property(
        // 1900-2100, whole milliseconds
        fc.integer({ min: -2_208_988_800_000, max: 4_102_444_800_000 }),
        fc.integer({ min: 0, max: 3 }),
        (ms, fractionDigits) => {
          const utc = new Date(ms).toISOString(); // 2019-05-05T13:14:03.123Z
          const hk = new Date(ms + 8 * 3_600_000).toISOString();
          const fraction = fractionDigits === 0 ? '' : `.${utc.slice(20, 20 + fractionDigits)}`;
          const inHk = `${hk.slice(0, 19)}${fraction}+08:00`;
          const inUtc = `${utc.slice(0, 19)}${fraction}Z`;
          const a = parseTimestamp(inHk, 'ISO_OFFSET');
          const b = parseTimestamp(inUtc, 'ISO_OFFSET');
          expect(a).toEqual(b);
          expect(a.ok && a.value.hkDate).toBe(hk.slice(0, 10));
          expect(a.ok && a.value.hkTime).toBe(hk.slice(11, 19));
        },
      ),
    );
  });
});
