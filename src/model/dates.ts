import { DcassError } from '../shared/errors.js';

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
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  if (day < 1 || day > days) return `${MONTHS[month - 1]} ${year} has ${days} days`;
  return null;
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
