import { DcassError } from '../shared/errors.js';

/** HKEX's deadlines are Hong Kong wall-clock times. */
const HONG_KONG = 'Asia/Hong_Kong';

/** Where `now` stands against the confirmation's deadline. */
export interface Deadline {
  /** The deadline as an instant. */
  readonly due: Date;
  /** Whether `now` falls on the session date in Hong Kong (the CLI speaks of the deadline only then). */
  readonly onSessionDay: boolean;
  /** Milliseconds until the deadline; negative when it has passed. */
  readonly msLeft: number;
  /** One line for a person: the deadline and the time left, or how late. */
  readonly text: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})$/;

/**
 * The confirmation's deadline (`sessionDate` at `dueTime`, Hong Kong time) seen from `now`: the
 * time left, or how late it is.
 */
export function confirmationDeadline(now: Date, sessionDate: string, dueTime: string): Deadline {
  const d = DATE.exec(sessionDate);
  const t = TIME.exec(dueTime);
  if (!d || !t) {
    throw new DcassError(
      'USAGE',
      `the session date and due time "${sessionDate} ${dueTime}" are not YYYY-MM-DD HH:MM`,
      {
        hint: 'set confirmation.sessionDate and confirmation.dueTime like 2019-05-05 and 12:30',
      },
    );
  }
  const due = zonedInstant(Number(d[1]), Number(d[2]), Number(d[3]), Number(t[1]), Number(t[2]), HONG_KONG);
  const msLeft = due.getTime() - now.getTime();
  const onSessionDay = dateIn(now, HONG_KONG) === sessionDate;
  const when = `the confirmation is due at ${dueTime} Hong Kong time (${sessionDate})`;
  const text =
    msLeft >= 0
      ? `${when}: ${duration(msLeft)} left`
      : `${when}: ${duration(-msLeft)} late; e-mail it to HKEX now`;
  return { due, onSessionDay, msLeft, text };
}

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function dateIn(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

// The zone's offset from UTC at an instant, in minutes, as the platform's time-zone data gives it.
function offsetMinutes(instant: Date, timeZone: string): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(instant)
    .find((p) => p.type === 'timeZoneName')!.value; // "GMT+08:00", or "GMT" for UTC itself
  const m = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

// The instant a wall-clock time happens in a zone; the offset is read twice so a change of offset
// (none in Hong Kong since 1979, but the zone is a parameter) lands on the right side.
function zonedInstant(y: number, mo: number, d: number, h: number, mi: number, timeZone: string): Date {
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const first = wall - offsetMinutes(new Date(wall), timeZone) * 60_000;
  return new Date(wall - offsetMinutes(new Date(first), timeZone) * 60_000);
}

function duration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'less than 1 min';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h === 0 ? `${m} min` : `${h} h ${String(m).padStart(2, '0')} min`;
}
