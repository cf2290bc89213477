import { DcassError } from '../../shared/errors.js';
import { fail, ok, type Result } from '../../shared/result.js';
import type { SessionTimes, TradingCalendar } from '../../model/calendar.js';
import { addDays, parseDate } from '../../model/dates.js';
import { parseTime } from './values.js';

/** The clearing date of a trade and the session it was executed in: T (day) or A (after-hours, T+1). */
export interface ClearingAssignment {
  readonly clearingDate: string;
  readonly session: 'T' | 'A';
}

/**
 * Derives the clearing date from the Hong Kong wall-clock execution date `YYYY-MM-DD` and time `HH:MM:SS`.
 * From afterHoursStart the trade is in the T+1 session of that day; before afterHoursEnd it is in the
 * T+1 session that started the evening before; either way it clears on the next trading day after
 * the session's day. From dayOpen to afterHoursStart it is a day-session trade clearing that day.
 * Anything else fails: NOT_A_TRADING_DAY, NO_AFTER_HOURS_SESSION or OUTSIDE_TRADING_HOURS.
 * The end of the day session is not modelled: a trade between the close and afterHoursStart counts as T.
 */
export function deriveClearingDate(
  execDate: string,
  execTime: string,
  cal: TradingCalendar,
  sessions: SessionTimes,
): Result<ClearingAssignment> {
  const bounds = sessionBounds(sessions);
  const date = parseDate(execDate, 'YYYY-MM-DD');
  if (!date.ok) return date;
  const time = parseTime(execTime, 'HH:MM:SS');
  if (!time.ok) return time;
  const when = `${date.value} ${time.value}`;

  switch (sessionBand(seconds(time.value), bounds)) {
    case 'evening':
      return afterHours(cal, date.value, when);
    case 'early-morning':
      // After midnight: the session started on the previous calendar day. Not the previous trading
      // day: a session started on Friday ends early on Saturday, so a Monday 00:30 trade is impossible.
      return afterHours(cal, addDays(date.value, -1), when);
    case 'before-open':
      return fail({
        code: 'OUTSIDE_TRADING_HOURS',
        message: `expected an execution time from ${sessions.dayOpen} or in the after-hours session (${sessions.afterHoursStart}-${sessions.afterHoursEnd}), got ${when}`,
      });
    case 'day': {
      const trading = cal.isTradingDay(date.value);
      if (!trading.ok) return trading;
      if (!trading.value) {
        return fail({
          code: 'NOT_A_TRADING_DAY',
          message: `expected a day-session trade on a trading day, got ${when}`,
        });
      }
      return ok({ clearingDate: date.value, session: 'T' });
    }
  }
}

/** Session boundaries in seconds since midnight. */
export interface SessionBounds {
  readonly dayOpen: number;
  readonly afterHoursStart: number;
  readonly afterHoursEnd: number;
}

/** The boundaries of configured session times; a bad configuration throws CONFIG_INVALID. */
export function sessionBounds(sessions: SessionTimes): SessionBounds {
  const dayOpen = sessionSeconds(sessions.dayOpen, 'dayOpen');
  const afterHoursStart = sessionSeconds(sessions.afterHoursStart, 'afterHoursStart');
  const afterHoursEnd = sessionSeconds(sessions.afterHoursEnd, 'afterHoursEnd');
  if (!(afterHoursEnd <= dayOpen && dayOpen < afterHoursStart)) {
    throw new DcassError(
      'CONFIG_INVALID',
      `sessions: expected afterHoursEnd <= dayOpen < afterHoursStart, got ${sessions.afterHoursEnd}, ${sessions.dayOpen}, ${sessions.afterHoursStart}`,
    );
  }
  return { dayOpen, afterHoursStart, afterHoursEnd };
}

/**
 * The part of the day a time of day (seconds since midnight) falls in. A trade's clearing date and
 * session depend on its date and this band only, never on the time within the band.
 */
export type SessionBand = 'evening' | 'early-morning' | 'before-open' | 'day';

export function sessionBand(t: number, b: SessionBounds): SessionBand {
  if (t >= b.afterHoursStart) return 'evening';
  if (t < b.afterHoursEnd) return 'early-morning';
  if (t < b.dayOpen) return 'before-open';
  return 'day';
}

/** A trade of the after-hours session that started on `sessionDay`: clears on the next trading day. */
function afterHours(cal: TradingCalendar, sessionDay: string, when: string): Result<ClearingAssignment> {
  const day = cal.day(sessionDay);
  if (!day.ok) return day;
  if (!day.value.trading) {
    return fail({
      code: 'NOT_A_TRADING_DAY',
      message: `expected an after-hours trade of a session starting on a trading day, got ${when} (session day ${sessionDay} is not a trading day)`,
    });
  }
  if (!day.value.afterHours) {
    const why = day.value.note === null ? '' : `: ${day.value.note}`;
    return fail({
      code: 'NO_AFTER_HOURS_SESSION',
      message: `expected an after-hours trade of a session that took place, got ${when} (no after-hours session on ${sessionDay}${why})`,
    });
  }
  const next = cal.nextTradingDay(sessionDay);
  if (!next.ok) return next;
  return ok({ clearingDate: next.value, session: 'A' });
}

/** Seconds since midnight of a session boundary `HH:MM` or `HH:MM:SS`; a bad one is a config error. */
function sessionSeconds(text: string, name: string): number {
  const full = /^[0-9]{2}:[0-9]{2}$/.test(text) ? `${text}:00` : text;
  const t = parseTime(full, 'HH:MM:SS');
  if (!t.ok || t.value !== full) {
    throw new DcassError('CONFIG_INVALID', `sessions.${name}: expected a time HH:MM, got "${text}"`);
  }
  return seconds(t.value);
}

/** Seconds since midnight of a valid `HH:MM:SS`; read digit by digit, as it is read for every trade. */
export function seconds(hhmmss: string): number {
  const d = (i: number) => hhmmss.charCodeAt(i) - 48;
  return ((d(0) * 10 + d(1)) * 60 + d(3) * 10 + d(4)) * 60 + d(6) * 10 + d(7);
}
