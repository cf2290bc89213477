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
import { copyInstant } from './stored-row.js';
import { CANONICAL_TIME, dayBefore, hkWallClockToInstant, hkWallClockUtc } from './values.js';

/** What is worked out once per execution date: its UTC date before 08:00, its clearing per band. */
interface ExecutionDay {
  readonly previous: string;
  /** Each Hong Kong hour's stored instant up to its UTC hour (`2019-05-05 22`), made when first needed. */
  hours: readonly string[] | null;
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

  /**
   * hkWallClockToInstant of `YYYY-MM-DD` and `HH:MM:SS` in its stored form (copyInstant), as a row
   * stores it: `2019-05-05 22:44:55+00`. Written from the hour's stored text, once per date and hour,
   * and the time's minutes and seconds, rather than as ISO first and then rewritten: each of those
   * steps left strings behind for every trade of a BOS file.
   */
  storedInstant(date: string, time: string): Result<string> {
    const day = this.day(date);
    if (day === null || !CANONICAL_TIME.test(time)) {
      const iso = hkWallClockToInstant(date, time);
      return iso.ok ? ok(copyInstant(iso.value)!) : iso;
    }
    const hours = (day.hours ??= hourTexts(date, day.previous));
    return ok(`${hours[(time.charCodeAt(0) - 48) * 10 + time.charCodeAt(1) - 48]}${time.slice(2)}+00`);
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
      day = previous === null ? null : { previous, hours: null, clearing: {} };
      if (this.days.size >= DATE_LIMIT) this.days = new Map();
      this.days.set(date, day);
    }
    return day;
  }
}

/** Each Hong Kong hour's stored instant (copyInstant) of a valid date, up to its UTC hour: `2019-05-05 22`. */
function hourTexts(date: string, previous: string): string[] {
  return Array.from({ length: 24 }, (_, h) =>
    copyInstant(hkWallClockUtc(date, previous, `${String(h).padStart(2, '0')}:00:00`))!.slice(0, 13),
  );
}
