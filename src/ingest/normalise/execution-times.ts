import { ok, type Result } from '../../shared/result.js';
import type { SessionTimes, TradingCalendar } from '../../model/calendar.js';
import {
  deriveClearingDate,
  seconds,
  sessionBand,
  sessionBounds,
  type ClearingAssignment,
  type SessionBand,
  type SessionBounds,
} from './clearing-date.js';
import { CANONICAL_TIME, dayBefore, hkWallClockToInstant, hkWallClockUtc } from './values.js';

/** What is worked out once per execution date: its UTC date before 08:00, its clearing per band. */
interface ExecutionDay {
  readonly previous: string;
  readonly clearing: Partial<Record<SessionBand, Result<ClearingAssignment>>>;
}

/** Dates kept at most: a real file has a few; a hostile one must not grow memory with its size. */
const DATE_LIMIT = 4096;

/**
 * The UTC instant and the clearing date of Hong Kong wall-clock execution times, for a whole file.
 * Deriving the clearing date through the calendar for every trade was a sixth of the ingest's CPU
 * time, but it depends only on the date and on the session band the time falls in, so it is worked
 * out once per (date, band). The instant is UTC+8 shifted back, written directly: remembering it per
 * (date, time) held about 30 MB of a million-row file alive, with only a few dates to remember instead.
 * Every answer equals deriveClearingDate's and hkWallClockToInstant's; texts that are not a plain
 * valid date and time, and failures (whose messages name the time), are handed to those functions.
 */
export class ExecutionTimes {
  private days = new Map<string, ExecutionDay | null>();
  private bounds: SessionBounds | null = null;

  constructor(
    private readonly calendar: TradingCalendar,
    private readonly sessions: SessionTimes,
  ) {}

  /** hkWallClockToInstant of `YYYY-MM-DD` and `HH:MM:SS`. */
  instant(date: string, time: string): Result<string> {
    const day = this.day(date);
    if (day === null || !CANONICAL_TIME.test(time)) return hkWallClockToInstant(date, time);
    return ok(hkWallClockUtc(date, day.previous, time));
  }

  /** deriveClearingDate of `YYYY-MM-DD` and `HH:MM:SS` under the file's calendar and sessions. */
  clearing(date: string, time: string): Result<ClearingAssignment> {
    const day = this.day(date);
    if (day === null || !CANONICAL_TIME.test(time)) {
      return deriveClearingDate(date, time, this.calendar, this.sessions);
    }
    this.bounds ??= sessionBounds(this.sessions);
    const band = sessionBand(seconds(time), this.bounds);
    const known = day.clearing[band];
    if (known !== undefined) return known;
    const r = deriveClearingDate(date, time, this.calendar, this.sessions);
    if (r.ok) day.clearing[band] = r;
    return r;
  }

  /** The day of a plain valid `YYYY-MM-DD`, or null for any other text. */
  private day(date: string): ExecutionDay | null {
    let day = this.days.get(date);
    if (day === undefined) {
      const previous = dayBefore(date);
      day = previous === null ? null : { previous, clearing: {} };
      if (this.days.size >= DATE_LIMIT) this.days = new Map();
      this.days.set(date, day);
    }
    return day;
  }
}
