import { describe, expect, it } from 'vitest';
import { withOverrides } from '../../src/config/calendar-file.js';
import { deriveClearingDate } from '../../src/ingest/normalise/clearing-date.js';
import {
  applyOverrides,
  expandCalendar,
  TradingCalendar,
  type CalendarDay,
  type CalendarFile,
} from '../../src/model/calendar.js';
import { weekday } from '../../src/model/dates.js';
import { DcassError } from '../../src/shared/errors.js';
import type { Result } from '../../src/shared/result.js';
import { hk2019Calendar, loadHk2019File } from '../support/hk-calendar.js';

function show<T>(r: Result<T>): T | string {
  return r.ok ? r.value : `!${r.issue.code}`;
}

const HOLIDAYS_2019 = [
  '2019-01-01',
  '2019-02-05',
  '2019-02-06',
  '2019-02-07',
  '2019-04-05',
  '2019-04-19',
  '2019-04-22',
  '2019-05-01',
  '2019-05-13',
  '2019-06-07',
  '2019-07-01',
  '2019-10-01',
  '2019-10-07',
  '2019-12-25',
  '2019-12-26',
];
const HALF_DAYS_2019 = ['2019-02-04', '2019-12-24', '2019-12-31'];

describe('builtin/calendars/hk-2019.yaml', () => {
  const file = loadHk2019File();

  it('has the documented keys, with dates and times as strings', () => {
    expect(file.market).toBe('HK');
    expect(file.timezone).toBe('Asia/Hong_Kong');
    expect(file.sessions).toEqual({ dayOpen: '09:15', afterHoursStart: '17:15', afterHoursEnd: '03:00' });
    expect(file.cutover).toEqual({ lastGeniumDate: '2019-05-03', firstUpgradedDate: '2019-05-06' });
    expect(file.range).toEqual({ from: '2019-01-01', to: '2019-12-31' });
  });

  it('lists exactly the 2019 holidays and half days without T+1 session, each with a note', () => {
    const holidays = file.days.filter((d) => !d.trading).map((d) => d.date);
    const halfDays = file.days.filter((d) => d.trading && !d.afterHours).map((d) => d.date);
    expect(holidays).toEqual(HOLIDAYS_2019);
    expect(halfDays).toEqual(HALF_DAYS_2019);
    expect(file.days).toHaveLength(HOLIDAYS_2019.length + HALF_DAYS_2019.length);
    for (const d of file.days) {
      expect(Object.keys(d).sort(), d.date).toEqual(['afterHours', 'date', 'note', 'trading']);
      expect(typeof d.note === 'string' && d.note.length > 0, d.date).toBe(true);
      expect(d.trading || !d.afterHours, d.date).toBe(true);
      expect([0, 6], `${d.date} is a weekday`).not.toContain(weekday(d.date));
    }
  });

  it('expands to 246 trading days, 243 of them with an after-hours session', () => {
    const days = expandCalendar(file, '2019-01-01', '2019-12-31');
    expect(days).toHaveLength(365);
    expect(days.filter((d) => d.trading)).toHaveLength(246);
    expect(days.filter((d) => d.afterHours)).toHaveLength(243);
  });
});

describe('expandCalendar', () => {
  const file = loadHk2019File();
  const days = expandCalendar(file, '2019-04-29', '2019-05-14');
  const byDate = new Map(days.map((d) => [d.date, d]));

  it('closes weekends and opens ordinary weekdays with an after-hours session', () => {
    expect(byDate.get('2019-05-04')).toEqual({
      date: '2019-05-04',
      trading: false,
      afterHours: false,
      platform: null,
      note: null,
    });
    expect(byDate.get('2019-05-02')).toEqual({
      date: '2019-05-02',
      trading: true,
      afterHours: true,
      platform: 'genium',
      note: null,
    });
  });

  it('applies the listed exceptions with their notes', () => {
    expect(byDate.get('2019-05-01')).toMatchObject({ trading: false, afterHours: false, note: 'Labour Day' });
    expect(byDate.get('2019-05-13')).toMatchObject({ trading: false, platform: 'upgraded' });
  });

  it('assigns the platform by the cutover dates', () => {
    expect(byDate.get('2019-05-03')?.platform).toBe('genium');
    expect(byDate.get('2019-05-04')?.platform).toBe(null);
    expect(byDate.get('2019-05-05')?.platform).toBe(null);
    expect(byDate.get('2019-05-06')?.platform).toBe('upgraded');
  });

  it('returns exactly the asked range', () => {
    expect(days[0]?.date).toBe('2019-04-29');
    expect(days.at(-1)?.date).toBe('2019-05-14');
    expect(days).toHaveLength(16);
  });

  it('refuses a range the file does not cover, a reversed range and bad files', () => {
    expect(() => expandCalendar(file, '2018-12-31', '2019-01-05')).toThrow(/covers 2019-01-01..2019-12-31/);
    expect(() => expandCalendar(file, '2019-12-01', '2020-01-05')).toThrow(DcassError);
    expect(() => expandCalendar(file, '2019-05-06', '2019-05-03')).toThrow(DcassError);
    expect(() => expandCalendar(file, '2019-5-3', '2019-05-06')).toThrow(DcassError);
    const twice: CalendarFile = {
      ...file,
      days: [...file.days, { ...(file.days[0] as CalendarFile['days'][0]) }],
    };
    expect(() => expandCalendar(twice, '2019-01-01', '2019-01-31')).toThrow(/listed twice/);
    const closedWithSession: CalendarFile = {
      ...file,
      days: [{ date: '2019-05-02', trading: false, afterHours: true, note: 'bad' }],
    };
    expect(() => expandCalendar(closedWithSession, '2019-05-01', '2019-05-31')).toThrow(DcassError);
    const cutoverBackwards: CalendarFile = {
      ...file,
      cutover: { lastGeniumDate: '2019-05-06', firstUpgradedDate: '2019-05-03' },
    };
    expect(() => expandCalendar(cutoverBackwards, '2019-05-01', '2019-05-31')).toThrow(DcassError);
  });
});

describe('TradingCalendar', () => {
  const cal = hk2019Calendar();

  it('knows its range', () => {
    expect(cal.first).toBe('2019-01-01');
    expect(cal.last).toBe('2019-12-31');
    expect(cal.covers('2019-05-06')).toBe(true);
    expect(cal.covers('2018-12-31')).toBe(false);
    expect(cal.covers('2020-01-01')).toBe(false);
    expect(cal.covers('garbage')).toBe(false);
  });

  it('answers trading day and after-hours questions', () => {
    expect(show(cal.isTradingDay('2019-05-03'))).toBe(true);
    expect(show(cal.isTradingDay('2019-05-04'))).toBe(false);
    expect(show(cal.isTradingDay('2019-05-13'))).toBe(false);
    expect(show(cal.hasAfterHours('2019-05-03'))).toBe(true);
    expect(show(cal.hasAfterHours('2019-12-24'))).toBe(false);
    expect(show(cal.isTradingDay('2019-12-24'))).toBe(true);
    expect(show(cal.day('2019-02-04'))).toMatchObject({
      note: "Lunar New Year's Eve (half day)",
    });
  });

  it('steps to the next and previous trading days over weekends and holidays', () => {
    expect(show(cal.nextTradingDay('2019-05-03'))).toBe('2019-05-06');
    expect(show(cal.nextTradingDay('2019-05-04'))).toBe('2019-05-06');
    expect(show(cal.nextTradingDay('2019-05-10'))).toBe('2019-05-14');
    expect(show(cal.nextTradingDay('2019-04-30'))).toBe('2019-05-02');
    expect(show(cal.nextTradingDay('2019-02-01'))).toBe('2019-02-04');
    expect(show(cal.nextTradingDay('2019-02-04'))).toBe('2019-02-08');
    expect(show(cal.previousTradingDay('2019-05-06'))).toBe('2019-05-03');
    expect(show(cal.previousTradingDay('2019-05-14'))).toBe('2019-05-10');
    expect(show(cal.previousTradingDay('2019-04-23'))).toBe('2019-04-18');
  });

  it('counts trading days in (a, b]', () => {
    expect(show(cal.businessDaysBetween('2019-05-03', '2019-05-03'))).toBe(0);
    expect(show(cal.businessDaysBetween('2019-05-03', '2019-05-06'))).toBe(1);
    expect(show(cal.businessDaysBetween('2019-05-04', '2019-05-05'))).toBe(0);
    expect(show(cal.businessDaysBetween('2019-05-03', '2019-05-17'))).toBe(9);
    expect(show(cal.businessDaysBetween('2019-05-17', '2019-05-03'))).toBe(-9);
    expect(show(cal.businessDaysBetween('2019-01-01', '2019-12-31'))).toBe(246);
  });

  it('fails with CALENDAR_GAP outside its range instead of guessing', () => {
    expect(show(cal.isTradingDay('2018-12-31'))).toBe('!CALENDAR_GAP');
    expect(show(cal.hasAfterHours('2020-01-02'))).toBe('!CALENDAR_GAP');
    expect(show(cal.nextTradingDay('2019-12-31'))).toBe('!CALENDAR_GAP');
    expect(show(cal.previousTradingDay('2019-01-02'))).toBe('!CALENDAR_GAP');
    expect(show(cal.businessDaysBetween('2019-12-30', '2020-01-02'))).toBe('!CALENDAR_GAP');
    const r = cal.isTradingDay('2018-12-31');
    expect(r.ok ? '' : r.issue.message).toBe(
      'expected a date the trading calendar covers (2019-01-01..2019-12-31), got 2018-12-31',
    );
  });

  it('fails a malformed date with BAD_DATE', () => {
    expect(show(cal.isTradingDay('2019-5-6'))).toBe('!BAD_DATE');
  });

  it('accepts days in any order but refuses gaps, duplicates and contradictions', () => {
    const day = (date: string, trading = true): CalendarDay => ({
      date,
      trading,
      afterHours: trading,
      platform: null,
      note: null,
    });
    const shuffled = new TradingCalendar([day('2019-05-07'), day('2019-05-06'), day('2019-05-08')]);
    expect(shuffled.first).toBe('2019-05-06');
    expect(show(shuffled.nextTradingDay('2019-05-06'))).toBe('2019-05-07');
    expect(() => new TradingCalendar([])).toThrow(DcassError);
    expect(() => new TradingCalendar([day('2019-05-06'), day('2019-05-08')])).toThrow(
      /2019-05-07 is missing/,
    );
    expect(() => new TradingCalendar([day('2019-05-06'), day('2019-05-06')])).toThrow(/given twice/);
    expect(() => new TradingCalendar([{ ...day('2019-05-06', false), afterHours: true }])).toThrow(
      DcassError,
    );
    expect(() => new TradingCalendar([day('2019-5-6')])).toThrow(DcassError);
  });
});

describe('calendar changes applied on top of the file (applyOverrides, withOverrides)', () => {
  const file = loadHk2019File();
  const days = expandCalendar(file, file.range.from, file.range.to);
  const loaded = {
    market: file.market,
    sessions: file.sessions,
    calendar: new TradingCalendar(days),
    days,
    cutover: file.cutover,
  };
  const typhoon = { date: '2019-05-10', trading: false, afterHours: false, note: 'closed: typhoon signal 8' };

  it('a closed Friday moves its evening trades of Thursday to the next trading day, over the holiday', () => {
    const closed = withOverrides(loaded, [typhoon]);
    expect(show(closed.calendar.day('2019-05-10'))).toEqual({
      date: '2019-05-10',
      trading: false,
      afterHours: false,
      platform: 'upgraded',
      note: 'closed: typhoon signal 8',
    });
    const evening = (cal: TradingCalendar) =>
      show(deriveClearingDate('2019-05-09', '18:30:00', cal, file.sessions));
    expect(evening(loaded.calendar)).toEqual({ clearingDate: '2019-05-10', session: 'A' });
    // 11-12 May is a weekend and 13 May the Birthday of the Buddha.
    expect(evening(closed.calendar)).toEqual({ clearingDate: '2019-05-14', session: 'A' });
    expect(show(deriveClearingDate('2019-05-10', '10:00:00', closed.calendar, file.sessions))).toBe(
      '!NOT_A_TRADING_DAY',
    );
  });

  it('a fallback puts its date and every later one on Genium INET, whatever else is declared of them', () => {
    const fallback = { date: '2019-05-14', platform: 'genium' as const, note: 'fallback to Genium INET' };
    const back = applyOverrides(days, [fallback, { ...typhoon, date: '2019-05-14' }]);
    const platformOf = (date: string) => back.find((d) => d.date === date)!.platform;
    expect(['2019-05-03', '2019-05-04', '2019-05-06', '2019-05-10', '2019-05-13'].map(platformOf)).toEqual([
      'genium',
      null,
      'upgraded',
      'upgraded',
      'upgraded',
    ]);
    expect(['2019-05-14', '2019-05-15', '2019-12-31'].map(platformOf)).toEqual([
      'genium',
      'genium',
      'genium',
    ]);
    // The closure of the same date stays in force: a fallback changes the platform, not the day.
    expect(back.find((d) => d.date === '2019-05-14')).toMatchObject({
      trading: false,
      note: 'closed: typhoon signal 8; fallback to Genium INET',
    });
    expect(back.find((d) => d.date === '2019-05-15')!.note).toBeNull();
    // The earlier of two fallbacks decides the dates between them; the file's days are left as they were.
    const earlier = applyOverrides(days, [fallback, { ...fallback, date: '2019-05-08' }]);
    expect(
      earlier.filter((d) => d.date >= '2019-05-06' && d.platform === 'upgraded').map((d) => d.date),
    ).toEqual(['2019-05-06', '2019-05-07']);
    expect(days.find((d) => d.date === '2019-05-14')!.platform).toBe('upgraded');
  });

  it('a half day keeps the day session and cancels the evening one', () => {
    const half = applyOverrides(days, [{ ...typhoon, trading: true, note: 'no T+1: black rainstorm' }]);
    const cal = new TradingCalendar(half);
    expect(show(deriveClearingDate('2019-05-10', '10:00:00', cal, file.sessions))).toEqual({
      clearingDate: '2019-05-10',
      session: 'T',
    });
    expect(show(deriveClearingDate('2019-05-10', '18:00:00', cal, file.sessions))).toBe(
      '!NO_AFTER_HOURS_SESSION',
    );
  });

  it('is the same applied twice, ignores dates outside the file, and refuses an evening without a day', () => {
    const once = withOverrides(loaded, [typhoon]);
    expect(withOverrides(once, [typhoon]).days).toEqual(once.days);
    expect(applyOverrides(days, [{ ...typhoon, date: '2020-01-02' }])).toEqual(days);
    expect(() => applyOverrides(days, [{ ...typhoon, afterHours: true }])).toThrow(DcassError);
    expect(withOverrides(loaded, [])).toBe(loaded);
  });
});
