import { DcassError } from '../shared/errors.js';
import { fail, ok, type Result } from '../shared/result.js';

/**
 * A business date, YYYY-MM-DD, known to name a real day: only parseBusinessDate makes one, so a
 * function that takes a BusinessDate never sees 2019-02-30 or 2019-5-6.
 */
export type BusinessDate = string & { readonly __brand: 'BusinessDate' };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/**
 * The one parser of a business date as users and files give it, YYYY-MM-DD, checked to be a real day:
 * 2019-02-30 is refused as not a calendar date (never rolled over to 2 March), 2019-5-6 as not written
 * YYYY-MM-DD. Returns it unchanged as a BusinessDate; a usage error naming the option (`--date`,
 * `--since`; null: none) otherwise. Every entry point parses its dates with it before it opens the
 * database or reads a file, so a mistyped date costs nothing.
 */
export function parseBusinessDate(date: string, option: string | null = '--date'): BusinessDate {
  const given = option === null ? '' : `${option} `;
  const m = DATE.exec(date);
  if (m === null) {
    throw new DcassError('USAGE', `${given}"${date}" is not written YYYY-MM-DD`, {
      hint: 'write the business date as year, month and day in digits, e.g. 2019-05-03',
    });
  }
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const why = impossibleBecause(year, month, day);
  if (why !== null) {
    throw new DcassError('USAGE', `${given}${date} is not a calendar date: ${why}`, {
      hint: 'check the day and the month of the date',
    });
  }
  return date as BusinessDate;
}

/** Why a year, month and day written as digits name no day; null when they do. */
function impossibleBecause(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12) return `there is no month ${String(month).padStart(2, '0')}`;
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) return `${MONTHS[month - 1]} ${year} has ${days} days`;
  return null;
}

/**
 * Dates as files write them. Every date read from a file goes through parseDate, and every
 * business date a user gives through parseBusinessDate: both refuse a day the calendar does not have.
 */

/** Date layouts found in the sources: Genium fixed width, BOS exports, DCASS XML/CSV. */
export type DateFormat = 'YYYYMMDD' | 'DD/MM/YYYY' | 'YYYY-MM-DD';

const DATE_PATTERNS: Record<DateFormat, { re: RegExp; order: 'ymd' | 'dmy' }> = {
  YYYYMMDD: { re: /^([0-9]{4})([0-9]{2})([0-9]{2})$/, order: 'ymd' },
  // Spreadsheet round trips drop leading zeros (5/5/2019), so one-digit day and month are accepted.
  'DD/MM/YYYY': { re: /^([0-9]{1,2})\/([0-9]{1,2})\/([0-9]{4})$/, order: 'dmy' },
  'YYYY-MM-DD': { re: /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/, order: 'ymd' },
};

/** Reads a calendar date and returns it as ISO `YYYY-MM-DD`; impossible dates (31 April, 29 Feb 2019) fail. */
export function parseDate(text: string, format: DateFormat): Result<string> {
  const s = text.trim();
  if (s === '')
    return fail({ code: 'MISSING_VALUE', message: `expected a date ${format}, got an empty value` });
  const { re, order } = DATE_PATTERNS[format];
  const m = re.exec(s);
  if (m === null) return fail({ code: 'BAD_DATE', message: `expected a date ${format}, got "${text}"` });
  const [a, b, c] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [y, mo, d] = order === 'ymd' ? [a, b, c] : [c, b, a];
  if (!isCalendarDate(y, mo, d)) {
    return fail({ code: 'BAD_DATE', message: `expected a real calendar date ${format}, got "${text}"` });
  }
  return ok(isoDate(y, mo, d));
}

function isCalendarDate(y: number, m: number, d: number): boolean {
  // Year 0000 is a zero-filled field, not a date.
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  return d <= daysInMonth(y, m);
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function isoDate(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a valid ISO date `YYYY-MM-DD` (callers pass dates already parsed). */
export function dayNumber(isoDate: string): number {
  return Math.round(
    utcMs(Number(isoDate.slice(0, 4)), Number(isoDate.slice(5, 7)), Number(isoDate.slice(8, 10))) / DAY_MS,
  );
}

/** The ISO date `YYYY-MM-DD` of a day number (days since 1970-01-01). */
export function dateFromDayNumber(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** The ISO date `days` days after (or before, if negative) a valid ISO date. */
export function addDays(isoDate: string, days: number): string {
  return dateFromDayNumber(dayNumber(isoDate) + days);
}

/** Day of the week of a valid ISO date: 0 = Sunday ... 6 = Saturday. */
export function weekday(isoDate: string): number {
  // 1970-01-01 was a Thursday (4).
  return (((dayNumber(isoDate) + 4) % 7) + 7) % 7;
}

/** UTC epoch milliseconds of a civil date; setUTCFullYear avoids Date.UTC's 0-99 => 19xx quirk. */
function utcMs(y: number, m: number, d: number): number {
  const dt = new Date(0);
  dt.setUTCFullYear(y, m - 1, d);
  return dt.getTime();
}

/**
 * Hong Kong time for people. The product's users, calendar and deadline are in Hong Kong, so every
 * time shown to a person (terminal, HTML, CSV, PDF) is Hong Kong wall-clock time with its offset;
 * machine fields (JSON, the audit chain) stay ISO instants in UTC.
 *
 * Hong Kong has kept UTC+08:00 all year since 1979 (no summer time), so a fixed offset is exact for
 * every date this product handles and needs no time-zone database.
 */
export const HK_OFFSET_MS = 8 * 60 * 60 * 1000;

function toInstant(value: Date | string | number): Date {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a time: ${String(value)}`);
  return d;
}

/** `2019-05-10 10:50:03 +08:00`: an instant as Hong Kong wall-clock time, seconds, with the offset. */
export function hkTime(value: Date | string | number): string {
  const wall = new Date(toInstant(value).getTime() + HK_OFFSET_MS).toISOString();
  return `${wall.slice(0, 10)} ${wall.slice(11, 19)} +08:00`;
}

/** `2019-05-10T10:50:03+08:00`: the same, ISO 8601 with the offset (parses back to the instant). */
export function hkIso(value: Date | string | number): string {
  const wall = new Date(toInstant(value).getTime() + HK_OFFSET_MS).toISOString();
  return `${wall.slice(0, 19)}+08:00`;
}

/** The Hong Kong calendar date (YYYY-MM-DD) of an instant. */
export function hkDate(value: Date | string | number): string {
  return new Date(toInstant(value).getTime() + HK_OFFSET_MS).toISOString().slice(0, 10);
}
