import { describe, expect, it } from 'vitest';
import { deriveClearingDate } from '../../src/ingest/normalise/clearing-date.js';
import { ExecutionTimes } from '../../src/ingest/normalise/execution-times.js';
import { copyInstant } from '../../src/ingest/normalise/stored-row.js';
import { addDays } from '../../src/model/dates.js';
import { hkWallClockToInstant } from '../../src/ingest/normalise/values.js';
import { DcassError } from '../../src/shared/errors.js';
import { ok } from '../../src/shared/result.js';
import { hk2019Calendar, loadHk2019File } from '../support/hk-calendar.js';

const cal = hk2019Calendar();
const sessions = loadHk2019File().sessions;

/** `YYYY-MM-DD/S` on success, `!CODE` on failure. */
function clear(date: string, time: string): string {
  const r = deriveClearingDate(date, time, cal, sessions);
  return r.ok ? `${r.value.clearingDate}/${r.value.session}` : `!${r.issue.code}`;
}

describe('deriveClearingDate', () => {
  it('Friday night after-hours clears on Monday (Fri 3 May 2019 23:10)', () => {
    expect(clear('2019-05-03', '23:10:00')).toBe('2019-05-06/A');
  });

  it('after midnight belongs to the previous evening session (Sat 4 May 00:30)', () => {
    expect(clear('2019-05-04', '00:30:00')).toBe('2019-05-06/A');
  });

  it("skips a holiday (Fri 10 May 18:00 -> Tue 14 May, 13 May is Buddha's Birthday)", () => {
    expect(clear('2019-05-10', '18:00:00')).toBe('2019-05-14/A');
  });

  it('skips a midweek holiday (Tue 30 Apr 17:30 -> Thu 2 May, 1 May is Labour Day)', () => {
    expect(clear('2019-04-30', '17:30:00')).toBe('2019-05-02/A');
  });

  it('a day-session trade clears the same day (Mon 6 May 10:00)', () => {
    expect(clear('2019-05-06', '10:00:00')).toBe('2019-05-06/T');
  });

  it('refuses after-hours on a half day without T+1 session (Tue 24 Dec 18:00)', () => {
    const r = deriveClearingDate('2019-12-24', '18:00:00', cal, sessions);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issue.code).toBe('NO_AFTER_HOURS_SESSION');
      expect(r.issue.message).toContain('Christmas Eve');
    }
    expect(clear('2019-12-25', '00:30:00')).toBe('!NO_AFTER_HOURS_SESSION');
    expect(clear('2019-02-04', '18:00:00')).toBe('!NO_AFTER_HOURS_SESSION');
  });

  it('is exact at the session boundaries', () => {
    expect(clear('2019-05-06', '17:14:59')).toBe('2019-05-06/T');
    expect(clear('2019-05-06', '17:15:00')).toBe('2019-05-07/A');
    expect(clear('2019-05-07', '02:59:59')).toBe('2019-05-07/A');
    expect(clear('2019-05-07', '03:00:00')).toBe('!OUTSIDE_TRADING_HOURS');
    expect(clear('2019-05-07', '09:14:59')).toBe('!OUTSIDE_TRADING_HOURS');
    expect(clear('2019-05-07', '09:15:00')).toBe('2019-05-07/T');
    expect(clear('2019-05-07', '00:00:00')).toBe('2019-05-07/A');
    expect(clear('2019-05-06', '23:59:59')).toBe('2019-05-07/A');
  });

  it('refuses trades on non-trading days', () => {
    expect(clear('2019-05-04', '10:00:00')).toBe('!NOT_A_TRADING_DAY');
    expect(clear('2019-05-01', '10:00:00')).toBe('!NOT_A_TRADING_DAY');
    expect(clear('2019-05-01', '18:00:00')).toBe('!NOT_A_TRADING_DAY');
  });

  it('refuses after-midnight trades when no session ran the evening before', () => {
    // Monday 00:30: Sunday had no session; Friday's ended early on Saturday.
    expect(clear('2019-05-06', '00:30:00')).toBe('!NOT_A_TRADING_DAY');
    // Thursday 2 May 00:30: Labour Day had no session.
    expect(clear('2019-05-02', '00:30:00')).toBe('!NOT_A_TRADING_DAY');
  });

  it('clears the last session of the year on the last trading day', () => {
    expect(clear('2019-12-30', '18:00:00')).toBe('2019-12-31/A');
    expect(clear('2019-12-31', '10:00:00')).toBe('2019-12-31/T');
    expect(clear('2019-02-01', '18:00:00')).toBe('2019-02-04/A');
  });

  it('fails with CALENDAR_GAP outside the calendar', () => {
    expect(clear('2020-01-02', '10:00:00')).toBe('!CALENDAR_GAP');
    expect(clear('2019-01-01', '00:30:00')).toBe('!CALENDAR_GAP');
  });

  it('fails on a malformed date or time', () => {
    expect(clear('2019-13-01', '10:00:00')).toBe('!BAD_DATE');
    expect(clear('2019-05-06', '25:00:00')).toBe('!BAD_TIME');
    expect(clear('2019-05-06', '1000')).toBe('!BAD_TIME');
  });

  it('refuses inconsistent session configuration', () => {
    const bad = { dayOpen: '09:15', afterHoursStart: '08:00', afterHoursEnd: '03:00' };
    expect(() => deriveClearingDate('2019-05-06', '10:00:00', cal, bad)).toThrow(DcassError);
    const malformed = { dayOpen: '9:15', afterHoursStart: '17:15', afterHoursEnd: '03:00' };
    expect(() => deriveClearingDate('2019-05-06', '10:00:00', cal, malformed)).toThrow(/sessions.dayOpen/);
  });
});

describe('ExecutionTimes (execution times worked out once per file)', () => {
  const same = (times: ExecutionTimes, date: string, time: string): void => {
    expect(times.clearing(date, time)).toEqual(deriveClearingDate(date, time, cal, sessions));
    const iso = hkWallClockToInstant(date, time);
    expect(times.storedInstant(date, time)).toEqual(iso.ok ? ok(copyInstant(iso.value)) : iso);
  };

  it('gives what deriveClearingDate and hkWallClockToInstant (stored, copyInstant) give for every 11th second of May 2019, failures included', () => {
    const times = new ExecutionTimes(cal, sessions);
    const cases: [string, string][] = [];
    for (let day = 1; day <= 31; day++) {
      for (let s = 0; s < 86_400; s += 11) {
        const hh = String(Math.floor(s / 3600)).padStart(2, '0');
        const mm = String(Math.floor(s / 60) % 60).padStart(2, '0');
        const ss = String(s % 60).padStart(2, '0');
        cases.push([`2019-05-${String(day).padStart(2, '0')}`, `${hh}:${mm}:${ss}`]);
      }
    }
    // After the first time of each date and band, answers come from what was worked out before.
    for (const [date, time] of cases) same(times, date, time);
  });

  it('gives the same for texts that are not a plain date and time, and past the number of dates it keeps', () => {
    const times = new ExecutionTimes(cal, sessions);
    for (const [date, time] of [
      ['2019-05-06', '9:05:03'],
      ['2019-05-06', '24:00:00'],
      ['2019-05-06', '10:61:00'],
      ['2019-05-06', ''],
      ['2019-5-6', '10:00:00'],
      ['2019-02-29', '10:00:00'],
      ['0001-01-01', '03:00:00'],
      ['2019-01-01', '07:59:59'],
      ['2019-01-01', '08:00:00'],
    ] as const) {
      same(times, date, time);
    }
    // 5,000 distinct dates (2010-2023), more than it keeps, at times either side of 08:00 and of the sessions.
    for (let n = 0; n < 5_000; n++) {
      const date = addDays('2010-01-01', n);
      for (const time of ['00:30:00', '07:59:59', '08:00:00', '09:15:00', '17:14:59', '17:15:00', '23:59:59'])
        same(times, date, time);
    }
  });
});
