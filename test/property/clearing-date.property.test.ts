import { describe, expect, it } from 'vitest';
import { expandCalendar, TradingCalendar, type CalendarDay } from '../../src/model/calendar.js';
import { deriveClearingDate } from '../../src/ingest/normalise/clearing-date.js';
import { addDays, dateFromDayNumber, dayNumber } from '../../src/model/dates.js';
import { loadHk2019File } from '../support/hk-calendar.js';
import { fc } from '../support/property.js';

const file = loadHk2019File();
const days = expandCalendar(file, file.range.from, file.range.to);
const cal = new TradingCalendar(days);
const byDate = new Map(days.map((d) => [d.date, d]));

const pad = (n: number) => String(n).padStart(2, '0');
const toSeconds = (hhmm: string) => Number(hhmm.slice(0, 2)) * 3600 + Number(hhmm.slice(3, 5)) * 60;
const OPEN = toSeconds(file.sessions.dayOpen);
const AH_START = toSeconds(file.sessions.afterHoursStart);
const AH_END = toSeconds(file.sessions.afterHoursEnd);

const execDate = fc
  .integer({ min: dayNumber(file.range.from), max: dayNumber(file.range.to) })
  .map((n) => dateFromDayNumber(n));
// Half the times near the boundaries, where mistakes live.
const execSeconds = fc.oneof(
  fc.integer({ min: 0, max: 86_399 }),
  fc.constantFrom(OPEN, AH_START, AH_END).chain((b) => fc.integer({ min: Math.max(0, b - 2), max: b + 1 })),
);
const hms = (s: number) => `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;

/** A naive oracle: a linear scan over the expanded days, independent of TradingCalendar. */
function oracle(date: string, t: number): string {
  const sessionDay = t >= AH_START ? date : t < AH_END ? addDays(date, -1) : null;
  if (sessionDay === null) {
    if (t < OPEN) return '!OUTSIDE_TRADING_HOURS';
    return byDate.get(date)?.trading ? `${date}/T` : '!NOT_A_TRADING_DAY';
  }
  const d: CalendarDay | undefined = byDate.get(sessionDay);
  if (d === undefined) return '!CALENDAR_GAP';
  if (!d.trading) return '!NOT_A_TRADING_DAY';
  if (!d.afterHours) return '!NO_AFTER_HOURS_SESSION';
  const next = days.find((x) => x.date > sessionDay && x.trading);
  return next === undefined ? '!CALENDAR_GAP' : `${next.date}/A`;
}

describe('clearing date properties', () => {
  it('agrees with a naive oracle over the 2019 calendar', () => {
    fc.assert(
      fc.property(execDate, execSeconds, (date, t) => {
        const r = deriveClearingDate(date, hms(t), cal, file.sessions);
        expect(r.ok ? `${r.value.clearingDate}/${r.value.session}` : `!${r.issue.code}`).toBe(
          oracle(date, t),
        );
      }),
    );
  });

  it('session A clears on the trading day right after its session day; session T on the execution date', () => {
    fc.assert(
      fc.property(execDate, execSeconds, (date, t) => {
        const r = deriveClearingDate(date, hms(t), cal, file.sessions);
        if (!r.ok) return;
        const { clearingDate, session } = r.value;
        expect(cal.isTradingDay(clearingDate)).toEqual({ ok: true, value: true });
        if (session === 'T') {
          expect(clearingDate).toBe(date);
          return;
        }
        const sessionDay = t >= AH_START ? date : addDays(date, -1);
        expect(clearingDate > sessionDay).toBe(true);
        expect(cal.hasAfterHours(sessionDay)).toEqual({ ok: true, value: true });
        expect(cal.businessDaysBetween(sessionDay, clearingDate)).toEqual({ ok: true, value: 1 });
      }),
    );
  });
});
