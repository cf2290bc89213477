import { HK_OFFSET_MS } from '../../model/dates.js';
import { fail, ok, type Result } from '../../shared/result.js';

/** Date layouts found in the sources: Genium fixed width, BOS exports, DCASS XML/CSV. */
export type DateFormat = 'YYYYMMDD' | 'DD/MM/YYYY' | 'YYYY-MM-DD';

/** Time-of-day layouts found in the sources. */
export type TimeFormat = 'HHMMSS' | 'HH:MM:SS';

/**
 * Timestamp layouts: ISO 8601 with a required UTC offset (DCASS XML), or 14 digits of Hong Kong
 * wall-clock time (Genium header `generated at`).
 */
export type TimestampFormat = 'ISO_OFFSET' | 'YYYYMMDDHHMMSS_HKT';

/** One instant, with the Hong Kong wall-clock date and time it had. */
export interface HkTimestamp {
  /** ISO 8601 UTC with milliseconds, e.g. `2019-05-05T13:14:03.000Z`. */
  readonly instant: string;
  /** Hong Kong calendar date, `YYYY-MM-DD`. */
  readonly hkDate: string;
  /** Hong Kong wall-clock time, `HH:MM:SS` (fractions of a second dropped). */
  readonly hkTime: string;
}

const DAY_MS = 86_400_000;

const DATE_PATTERNS: Record<DateFormat, { re: RegExp; order: 'ymd' | 'dmy' }> = {
  YYYYMMDD: { re: /^([0-9]{4})([0-9]{2})([0-9]{2})$/, order: 'ymd' },
  // Spreadsheet round trips drop leading zeros (5/5/2019), so one-digit day and month are accepted.
  'DD/MM/YYYY': { re: /^([0-9]{1,2})\/([0-9]{1,2})\/([0-9]{4})$/, order: 'dmy' },
  'YYYY-MM-DD': { re: /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/, order: 'ymd' },
};

const TIME_PATTERNS: Record<TimeFormat, RegExp> = {
  HHMMSS: /^([0-9]{2})([0-9]{2})([0-9]{2})$/,
  // Same reason as for dates: 9:05:03 comes out of spreadsheets.
  'HH:MM:SS': /^([0-9]{1,2}):([0-9]{2}):([0-9]{2})$/,
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

/** Reads a time of day (00:00:00-23:59:59) and returns it as `HH:MM:SS`. */
export function parseTime(text: string, format: TimeFormat): Result<string> {
  const s = text.trim();
  if (s === '')
    return fail({ code: 'MISSING_VALUE', message: `expected a time ${format}, got an empty value` });
  const m = TIME_PATTERNS[format].exec(s);
  if (m === null) return fail({ code: 'BAD_TIME', message: `expected a time ${format}, got "${text}"` });
  const [h, mi, se] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (h > 23 || mi > 59 || se > 59) {
    return fail({
      code: 'BAD_TIME',
      message: `expected a time ${format} within 00:00:00-23:59:59, got "${text}"`,
    });
  }
  return ok(`${pad2(h)}:${pad2(mi)}:${pad2(se)}`);
}

const ISO_OFFSET_RE =
  /^([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}:[0-9]{2}:[0-9]{2})(?:\.([0-9]{1,9}))?(Z|[+-][0-9]{2}:[0-9]{2})?$/;
const HKT14_RE = /^([0-9]{8})([0-9]{6})$/;

/**
 * Reads a timestamp and returns its UTC instant and Hong Kong wall-clock date and time.
 * ISO_OFFSET requires `Z` or `+HH:MM`: a local time without an offset is ambiguous, so it fails.
 * Fractions of a second beyond milliseconds are truncated.
 */
export function parseTimestamp(text: string, format: TimestampFormat): Result<HkTimestamp> {
  const s = text.trim();
  const example = format === 'ISO_OFFSET' ? '2019-05-05T21:14:03+08:00' : '20190505211403';
  if (s === '') {
    return fail({
      code: 'MISSING_VALUE',
      message: `expected a timestamp like ${example}, got an empty value`,
    });
  }
  const bad = (why = ''): Result<HkTimestamp> =>
    fail({ code: 'BAD_TIMESTAMP', message: `expected a timestamp like ${example}${why}, got "${text}"` });

  if (format === 'YYYYMMDDHHMMSS_HKT') {
    const m = HKT14_RE.exec(s);
    if (m === null) return bad();
    const date = parseDate(m[1] ?? '', 'YYYYMMDD');
    const time = parseTime(m[2] ?? '', 'HHMMSS');
    if (!date.ok || !time.ok) return bad(' (a real date and time)');
    return ok(fromEpochMs(wallClockMs(date.value, time.value) - HK_OFFSET_MS));
  }

  const m = ISO_OFFSET_RE.exec(s);
  if (m === null) return bad();
  const offset = m[4];
  if (offset === undefined) return bad(' (with a UTC offset or Z: without one the time is ambiguous)');
  const date = parseDate(m[1] ?? '', 'YYYY-MM-DD');
  const time = parseTime(m[2] ?? '', 'HH:MM:SS');
  if (!date.ok || !time.ok) return bad(' (a real date and time)');
  let offsetMs = 0;
  if (offset !== 'Z') {
    const oh = Number(offset.slice(1, 3));
    const om = Number(offset.slice(4, 6));
    if (oh > 18 || om > 59) return bad(' (offset within -18:00..+18:00)');
    offsetMs = (offset.startsWith('-') ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const millis = Number((m[3] ?? '').padEnd(3, '0').slice(0, 3));
  const ms = wallClockMs(date.value, time.value) + millis - offsetMs;
  // DCASS writes Hong Kong time (+08:00): its date and time are then the Hong Kong ones as written.
  if (offsetMs === HK_OFFSET_MS)
    return ok({ instant: new Date(ms).toISOString(), hkDate: date.value, hkTime: time.value });
  return ok(fromEpochMs(ms));
}

/** The UTC instant (ISO, milliseconds, `Z`) of a Hong Kong wall-clock date `YYYY-MM-DD` and time `HH:MM:SS`. */
export function hkWallClockToInstant(date: string, time: string): Result<string> {
  const d = parseDate(date, 'YYYY-MM-DD');
  if (!d.ok) return d;
  const t = parseTime(time, 'HH:MM:SS');
  if (!t.ok) return t;
  return ok(new Date(wallClockMs(d.value, t.value) - HK_OFFSET_MS).toISOString());
}

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

/** Milliseconds since the epoch of a wall-clock date and time read as if it were UTC. */
function wallClockMs(isoDate: string, hhmmss: string): number {
  const [h, mi, se] = hhmmss.split(':').map(Number) as [number, number, number];
  return dayNumber(isoDate) * DAY_MS + ((h * 60 + mi) * 60 + se) * 1000;
}

function fromEpochMs(ms: number): HkTimestamp {
  const hk = new Date(ms + HK_OFFSET_MS).toISOString();
  return { instant: new Date(ms).toISOString(), hkDate: hk.slice(0, 10), hkTime: hk.slice(11, 19) };
}

/** UTC epoch milliseconds of a civil date; setUTCFullYear avoids Date.UTC's 0-99 => 19xx quirk. */
function utcMs(y: number, m: number, d: number): number {
  const dt = new Date(0);
  dt.setUTCFullYear(y, m - 1, d);
  return dt.getTime();
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
  return `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
