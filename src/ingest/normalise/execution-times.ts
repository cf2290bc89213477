import type { Result } from '../../shared/result.js';
import type { SessionTimes, TradingCalendar } from './calendar.js';
import { deriveClearingDate, type ClearingAssignment } from './clearing-date.js';
import { hkWallClockToInstant } from './values.js';

/** The instant and clearing assignment of one execution date and time. */
interface Execution {
  instant?: Result<string>;
  clearing?: Result<ClearingAssignment>;
}

/** Entries kept at most: a real file has a few dates' worth; a hostile one must not grow memory with its size. */
const LIMIT = 200_000;

/**
 * The UTC instant and the clearing date of Hong Kong wall-clock execution times, each worked out once
 * per file: a million BOS trades share a few tens of thousands of distinct (date, time) pairs, and
 * deriving the clearing date through the calendar was a sixth of the ingest's CPU time. Kept by date,
 * then time (a day has at most 86,400 seconds, and a file few dates), so a lookup builds no key.
 */
export class ExecutionTimes {
  private byDate = new Map<string, Map<string, Execution>>();
  private entries = 0;

  constructor(
    private readonly calendar: TradingCalendar,
    private readonly sessions: SessionTimes,
  ) {}

  /** hkWallClockToInstant of `YYYY-MM-DD` and `HH:MM:SS`. */
  instant(date: string, time: string): Result<string> {
    const e = this.entry(date, time);
    return (e.instant ??= hkWallClockToInstant(date, time));
  }

  /** deriveClearingDate of `YYYY-MM-DD` and `HH:MM:SS` under the file's calendar and sessions. */
  clearing(date: string, time: string): Result<ClearingAssignment> {
    const e = this.entry(date, time);
    return (e.clearing ??= deriveClearingDate(date, time, this.calendar, this.sessions));
  }

  private entry(date: string, time: string): Execution {
    if (this.entries >= LIMIT) {
      this.byDate = new Map();
      this.entries = 0;
    }
    let times = this.byDate.get(date);
    if (times === undefined) this.byDate.set(date, (times = new Map()));
    let e = times.get(time);
    if (e === undefined) {
      times.set(time, (e = {}));
      this.entries++;
    }
    return e;
  }
}
