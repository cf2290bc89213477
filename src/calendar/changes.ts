import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { CalendarOverride, PlatformOverride } from '../model/calendar.js';

/**
 * What an operator declares about one date: closed, opened again, without its T+1 evening session, or
 * the first date of a fallback to Genium INET (that date and every later one on Genium again).
 */
export type CalendarAction = 'close' | 'open' | 'half-day' | 'fallback';

/** One recorded calendar change (a row of the append-only calendar_change table). */
export interface CalendarChange {
  readonly id: string;
  readonly market: string;
  /** The date changed, `YYYY-MM-DD`. */
  readonly date: string;
  readonly action: CalendarAction;
  /** The date's state from this change on. */
  readonly trading: boolean;
  readonly afterHours: boolean;
  readonly reason: string;
  readonly actor: string;
  /** When it was recorded, ISO 8601 UTC. */
  readonly recordedAt: string;
}

interface ChangeRow {
  id: string;
  market: string;
  day: string;
  action: CalendarAction;
  trading: boolean;
  after_hours: boolean;
  reason: string;
  actor: string;
  recorded_at: string;
}

const COLUMNS = sql`id, market, to_char(day, 'YYYY-MM-DD') AS day, action, trading, after_hours, reason, actor,
  to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS recorded_at`;

const toChange = (r: ChangeRow): CalendarChange => ({
  id: r.id,
  market: r.market,
  date: r.day,
  action: r.action,
  trading: r.trading,
  afterHours: r.after_hours,
  reason: r.reason,
  actor: r.actor,
  recordedAt: r.recorded_at,
});

/**
 * The changes in force for a market, in date order: the latest change of each date's state, and each
 * fallback (a fallback leaves its date's state as it is, so a closure of the same date stays in force).
 */
export async function changesInForce(db: Kysely<Database>, market: string): Promise<CalendarChange[]> {
  const r = await sql<ChangeRow>`
    SELECT DISTINCT ON (day, action = 'fallback') ${COLUMNS} FROM calendar_change
    WHERE market = ${market} ORDER BY day, action = 'fallback', id DESC`.execute(db);
  return r.rows.map(toChange);
}

/** Every change recorded for a market, oldest first. */
export async function changeHistory(db: Kysely<Database>, market: string): Promise<CalendarChange[]> {
  const r = await sql<ChangeRow>`
    SELECT ${COLUMNS} FROM calendar_change WHERE market = ${market} ORDER BY id`.execute(db);
  return r.rows.map(toChange);
}

/** Appends one change; the caller's transaction decides whether it stands. */
export async function insertChange(
  db: Kysely<Database>,
  change: Omit<CalendarChange, 'id' | 'recordedAt'>,
): Promise<CalendarChange> {
  const r = await sql<ChangeRow>`
    INSERT INTO calendar_change (market, day, action, trading, after_hours, reason, actor)
    VALUES (${change.market}, ${change.date}::date, ${change.action}, ${change.trading},
            ${change.afterHours}, ${change.reason}, ${change.actor})
    RETURNING ${COLUMNS}`.execute(db);
  return toChange(r.rows[0]!);
}

const DONE: Record<CalendarAction, string> = {
  close: 'closed',
  open: 'opened',
  'half-day': 'no T+1 session',
  fallback: 'fallback to Genium INET from this date',
};

/** A change as the calendar applies it; its note says what was declared, by which change, and why. */
export function toOverride(c: CalendarChange): CalendarOverride | PlatformOverride {
  if (c.action === 'fallback')
    return {
      date: c.date,
      platform: 'genium',
      note: `${DONE[c.action]} by calendar change ${c.id}: ${c.reason}`,
    };
  return {
    date: c.date,
    trading: c.trading,
    afterHours: c.afterHours,
    note: `${DONE[c.action]} by calendar change ${c.id}: ${c.reason}`,
  };
}
