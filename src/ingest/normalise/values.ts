import { addDays, dayNumber, HK_OFFSET_MS, parseDate } from '../../model/dates.js';
import { fail, ok, type Result } from '../../shared/result.js';

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

const TIME_PATTERNS: Record<TimeFormat, RegExp> = {
  HHMMSS: /^([0-9]{2})([0-9]{2})([0-9]{2})$/,
  // Same reason as for dates: 9:05:03 comes out of spreadsheets.
  'HH:MM:SS': /^([0-9]{1,2}):([0-9]{2}):([0-9]{2})$/,
};

/** A time of day exactly as parseTime writes it, within 00:00:00-23:59:59: returned as it is, as most are. */
export const CANONICAL_TIME = /^(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$/;

/** Reads a time of day (00:00:00-23:59:59) and returns it as `HH:MM:SS`. */
export function parseTime(text: string, format: TimeFormat): Result<string> {
  const s = text.trim();
  if (format === 'HH:MM:SS' && CANONICAL_TIME.test(s)) return ok(s);
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
  const fast = hongKongInstant(m[1]!, m[2]!, m[3], m[4]);
  if (fast !== null) return ok(fast);
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

/**
 * The days before the dates read so far, null for a text that is not a plain valid `YYYY-MM-DD`: a
 * file's execution times share a few dates (the business day, and the evening and night before it, in
 * turn), so each is worked out once. Emptied when full, so a hostile file cannot grow it.
 */
let daysBefore = new Map<string, string | null>();
const DAYS_BEFORE_LIMIT = 1024;

/** The day before a plain valid `YYYY-MM-DD`, or null for any other text (remembered, see daysBefore). */
export function dayBefore(date: string): string | null {
  let previous = daysBefore.get(date);
  if (previous === undefined) {
    const parsed = parseDate(date, 'YYYY-MM-DD');
    previous = parsed.ok && parsed.value === date ? addDays(date, -1) : null;
    if (daysBefore.size >= DAYS_BEFORE_LIMIT) daysBefore = new Map();
    daysBefore.set(date, previous);
  }
  return previous;
}

/**
 * A DCASS timestamp (Hong Kong time, `+08:00`) with a canonical date and time, read as the general
 * path below reads it but written directly: UTC is eight hours behind, on the day before for a time
 * before 08:00. Computing it through epoch milliseconds and Date was a tenth of reading a DCASS XML
 * report. Null for any other text (another offset, a time such as 9:05:03), which the general path reads.
 */
function hongKongInstant(
  date: string,
  time: string,
  fraction: string | undefined,
  offset: string | undefined,
): HkTimestamp | null {
  if (offset !== '+08:00' || !CANONICAL_TIME.test(time)) return null;
  const previous = dayBefore(date);
  if (previous === null) return null;
  const millis = (fraction ?? '').padEnd(3, '0').slice(0, 3);
  return { instant: hkWallClockUtc(date, previous, time, millis), hkDate: date, hkTime: time };
}

/**
 * The UTC instant (ISO, `Z`) of a valid Hong Kong date `YYYY-MM-DD` (`previous`: the day before it),
 * time `HH:MM:SS` and three digits of milliseconds, written without Date: Hong Kong is UTC+8 all year
 * (no daylight saving since 1979), so before 08:00 it is the previous UTC day.
 */
export function hkWallClockUtc(date: string, previous: string, time: string, millis = '000'): string {
  const h = (time.charCodeAt(0) - 48) * 10 + time.charCodeAt(1) - 48;
  const utc = h >= 8 ? `${date}T${pad2(h - 8)}` : `${previous}T${h + 16}`;
  return `${utc}${time.slice(2)}.${millis}Z`;
}

/** The UTC instant (ISO, milliseconds, `Z`) of a Hong Kong wall-clock date `YYYY-MM-DD` and time `HH:MM:SS`. */
export function hkWallClockToInstant(date: string, time: string): Result<string> {
  const d = parseDate(date, 'YYYY-MM-DD');
  if (!d.ok) return d;
  const t = parseTime(time, 'HH:MM:SS');
  if (!t.ok) return t;
  return ok(hkWallClockUtc(d.value, addDays(d.value, -1), t.value));
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

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
