import { DcassError } from '../shared/errors.js';
import { fail, ok, type Result } from '../shared/result.js';
import { dateFromDayNumber, dayNumber, parseDate, weekday } from './dates.js';
import type { Platform } from './vocabulary.js';

/** One calendar date of a market: whether it trades, whether it has a T+1 (after-hours) session, which platform. */
export interface CalendarDay {
  /** ISO date `YYYY-MM-DD`. */
  readonly date: string;
  /** The day (T) session runs. */
  readonly trading: boolean;
  /** A T+1 (after-hours) session starts on the evening of this date. */
  readonly afterHours: boolean;
  /** Which clearing platform the date belongs to; null between the last Genium and first upgraded date. */
  readonly platform: Platform | null;
  /** Why the day differs from an ordinary weekday (holiday name, half day), else null. */
  readonly note: string | null;
}

/** Session boundaries in Hong Kong wall-clock time, `HH:MM`; the after-hours session ends after midnight. */
export interface SessionTimes {
  readonly dayOpen: string;
  readonly afterHoursStart: string;
  readonly afterHoursEnd: string;
}

/** One listed exception in a calendar file: a holiday, a half day without T+1 session, a closure. */
export interface CalendarException {
  readonly date: string;
  readonly trading: boolean;
  readonly afterHours: boolean;
  readonly note: string;
}

/** The compact calendar file (`builtin/calendars/*.yaml`) after YAML parsing; see the file's header comment. */
export interface CalendarFile {
  readonly market: string;
  readonly timezone: string;
  readonly sessions: SessionTimes;
  readonly cutover: { readonly lastGeniumDate: string; readonly firstUpgradedDate: string };
  /** The dates the file vouches for: outside them its exceptions are unknown, so it must not be expanded. */
  readonly range: { readonly from: string; readonly to: string };
  readonly days: readonly CalendarException[];
}

/**
 * Expands a calendar file into one CalendarDay per date in [from, to]: weekends closed, listed
 * exceptions as written, every other day a full trading day with a T+1 session. Platform: genium up
 * to cutover.lastGeniumDate, upgraded from cutover.firstUpgradedDate, null between.
 * Throws DcassError CONFIG_INVALID for malformed dates, duplicates, or a range the file does not cover.
 */
export function expandCalendar(file: CalendarFile, from: string, to: string): CalendarDay[] {
  const fileFrom = configDate(file.range.from, 'range.from');
  const fileTo = configDate(file.range.to, 'range.to');
  const start = configDate(from, 'from');
  const end = configDate(to, 'to');
  const lastGenium = configDate(file.cutover.lastGeniumDate, 'cutover.lastGeniumDate');
  const firstUpgraded = configDate(file.cutover.firstUpgradedDate, 'cutover.firstUpgradedDate');
  if (start > end) throw new DcassError('CONFIG_INVALID', `calendar: from ${from} is after to ${to}`);
  if (start < fileFrom || end > fileTo) {
    throw new DcassError(
      'CALENDAR_MISSING_DATE',
      `calendar ${file.market} covers ${fileFrom}..${fileTo}, asked for ${start}..${end}`,
      { hint: 'add a calendar file for the missing dates' },
    );
  }
  if (lastGenium >= firstUpgraded) {
    throw new DcassError(
      'CONFIG_INVALID',
      `calendar: cutover.lastGeniumDate ${lastGenium} must be before firstUpgradedDate ${firstUpgraded}`,
    );
  }

  const exceptions = new Map<string, CalendarException>();
  file.days.forEach((e, i) => {
    const date = configDate(e.date, `days[${i}].date`);
    if (exceptions.has(date))
      throw new DcassError('CONFIG_INVALID', `calendar: ${date} is listed twice in days`);
    if (!e.trading && e.afterHours) {
      throw new DcassError('CONFIG_INVALID', `calendar: ${date} has afterHours but no trading (days[${i}])`);
    }
    exceptions.set(date, e);
  });

  const out: CalendarDay[] = [];
  for (let n = dayNumber(start); n <= dayNumber(end); n++) {
    const date = dateFromDayNumber(n);
    const platform = date <= lastGenium ? 'genium' : date >= firstUpgraded ? 'upgraded' : null;
    const e = exceptions.get(date);
    if (e !== undefined) {
      out.push({ date, trading: e.trading, afterHours: e.afterHours, platform, note: e.note });
    } else {
      const wd = weekday(date);
      const open = wd !== 0 && wd !== 6;
      out.push({ date, trading: open, afterHours: open, platform, note: null });
    }
  }
  return out;
}

/**
 * Trading days of one market over a contiguous range of dates. Queries on a date outside the range
 * fail with CALENDAR_GAP rather than guess, because a guessed holiday moves clearing dates.
 */
export class TradingCalendar {
  /** First covered date. */
  readonly first: string;
  /** Last covered date. */
  readonly last: string;
  private readonly firstDay: number;
  private readonly days: readonly CalendarDay[];
  // tradingUpTo[i] = trading days in [first, first + i]: turns businessDaysBetween into a subtraction.
  private readonly tradingUpTo: readonly number[];

  /** Builds the calendar; throws DcassError if the days are not one contiguous run of distinct, valid dates. */
  constructor(days: readonly CalendarDay[]) {
    if (days.length === 0) throw new DcassError('CONFIG_INVALID', 'calendar: no days given');
    const sorted = [...days].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    sorted.forEach((d) => {
      configDate(d.date, 'date');
      if (!d.trading && d.afterHours) {
        throw new DcassError('CONFIG_INVALID', `calendar: ${d.date} has afterHours but no trading`);
      }
    });
    const firstDate = (sorted[0] as CalendarDay).date;
    this.firstDay = dayNumber(firstDate);
    sorted.forEach((d, i) => {
      const expected = dateFromDayNumber(this.firstDay + i);
      if (d.date !== expected) {
        throw d.date < expected
          ? new DcassError('CONFIG_INVALID', `calendar: ${d.date} is given twice`)
          : new DcassError(
              'CALENDAR_MISSING_DATE',
              `calendar: ${expected} is missing (next given is ${d.date})`,
            );
      }
    });
    let count = 0;
    this.tradingUpTo = sorted.map((d) => (count += d.trading ? 1 : 0));
    this.days = sorted;
    this.first = firstDate;
    this.last = (sorted[sorted.length - 1] as CalendarDay).date;
  }

  /** Whether the date (ISO `YYYY-MM-DD`) is inside the covered range. */
  covers(date: string): boolean {
    return this.index(date).ok;
  }

  /** The calendar entry of a date. */
  day(date: string): Result<CalendarDay> {
    const i = this.index(date);
    return i.ok ? ok(this.days[i.value] as CalendarDay) : i;
  }

  /** Whether the day (T) session runs on the date. */
  isTradingDay(date: string): Result<boolean> {
    const d = this.day(date);
    return d.ok ? ok(d.value.trading) : d;
  }

  /** Whether a T+1 (after-hours) session starts on the evening of the date. */
  hasAfterHours(date: string): Result<boolean> {
    const d = this.day(date);
    return d.ok ? ok(d.value.afterHours) : d;
  }

  /** The first trading day strictly after the date. */
  nextTradingDay(date: string): Result<string> {
    return this.step(date, 1);
  }

  /** The last trading day strictly before the date. */
  previousTradingDay(date: string): Result<string> {
    return this.step(date, -1);
  }

  /**
   * Trading days in (a, b]: 0 for a = b, 1 from a Friday to the next Monday; negative (minus the
   * count in (b, a]) when b is before a. Both dates must be covered.
   */
  businessDaysBetween(a: string, b: string): Result<number> {
    const ia = this.index(a);
    if (!ia.ok) return ia;
    const ib = this.index(b);
    if (!ib.ok) return ib;
    return ok((this.tradingUpTo[ib.value] as number) - (this.tradingUpTo[ia.value] as number));
  }

  private step(date: string, dir: 1 | -1): Result<string> {
    const i = this.index(date);
    if (!i.ok) return i;
    for (let j = i.value + dir; j >= 0 && j < this.days.length; j += dir) {
      const d = this.days[j] as CalendarDay;
      if (d.trading) return ok(d.date);
    }
    const edge = dir === 1 ? `after ${date} up to ${this.last}` : `before ${date} back to ${this.first}`;
    return fail({
      code: 'CALENDAR_GAP',
      message: `expected a trading day ${edge} in the calendar, got none: the calendar needs more dates`,
    });
  }

  private index(date: string): Result<number> {
    const parsed = parseDate(date, 'YYYY-MM-DD');
    if (!parsed.ok) return parsed;
    const i = dayNumber(parsed.value) - this.firstDay;
    if (i < 0 || i >= this.days.length) {
      return fail({
        code: 'CALENDAR_GAP',
        message: `expected a date the trading calendar covers (${this.first}..${this.last}), got ${date}`,
      });
    }
    return ok(i);
  }
}

/** A date in configuration: must already be ISO `YYYY-MM-DD`, else the file is wrong. */
function configDate(text: string, where: string): string {
  const d = parseDate(text, 'YYYY-MM-DD');
  if (!d.ok || d.value !== text) {
    throw new DcassError('CONFIG_INVALID', `calendar ${where}: expected a date YYYY-MM-DD, got "${text}"`);
  }
  return d.value;
}

/** One date's state set by an ad-hoc change (a typhoon closure, a cancelled evening session). */
export interface CalendarOverride {
  readonly date: string;
  readonly trading: boolean;
  readonly afterHours: boolean;
  /** Why, as recorded with the change; becomes the day's note. */
  readonly note: string;
}

/**
 * A fallback to another platform recorded as a calendar change: from its date on, every date is on
 * that platform (Genium INET again after a fallback of the upgraded platform).
 */
export interface PlatformOverride {
  /** The first date on the platform again, `YYYY-MM-DD`. */
  readonly date: string;
  readonly platform: Platform;
  /** Why, as recorded with the change; added to the date's note. */
  readonly note: string;
}

/**
 * The days with the overrides applied on top: each day override replaces its date's trading and
 * after-hours flags and note; a platform override puts its date and every later one on its platform
 * (the latest one starting on or before a date decides it) and notes its first date. An override of a
 * date the days do not cover is left out: nothing can be asked about that date anyway.
 */
export function applyOverrides(
  days: readonly CalendarDay[],
  overrides: readonly (CalendarOverride | PlatformOverride)[],
): CalendarDay[] {
  const byDate = new Map<string, CalendarOverride>();
  const platforms: PlatformOverride[] = [];
  for (const o of overrides) {
    if ('platform' in o) platforms.push(o);
    else byDate.set(o.date, o);
  }
  platforms.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return days.map((d) => {
    const o = byDate.get(d.date);
    if (o !== undefined && !o.trading && o.afterHours) {
      throw new DcassError(
        'CONFIG_INVALID',
        `calendar change of ${o.date}: an after-hours session but no trading`,
      );
    }
    const day = o === undefined ? d : { ...d, trading: o.trading, afterHours: o.afterHours, note: o.note };
    const from = platforms.findLast((p) => p.date <= d.date);
    if (from === undefined) return day;
    const note =
      from.date !== d.date ? day.note : day.note === null ? from.note : `${day.note}; ${from.note}`;
    return { ...day, platform: from.platform, note };
  });
}
