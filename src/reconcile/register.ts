import { sql } from 'kysely';
import type { BusinessDate } from '../model/dates.js';
import type { Store } from '../db/connect.js';
import type { BreakAction } from '../db/tables/recon.table.js';
import type { BreakStatus } from '../model/vocabulary.js';
import { DcassError } from '../shared/errors.js';
import { caseInHouse, type HouseFilter } from './house-filter.js';
import { caseFromRow, SIGHTING, stateAsOf, type BreakCase, type BreakCaseRow } from './breaks.js';

/** A comment on a break, as the register keeps it. */
export interface BreakComment {
  readonly at: string;
  readonly actor: string;
  readonly note: string;
}

/** One break of the register with its state and comments. */
export interface RegisterEntry extends BreakCase {
  readonly comments: readonly BreakComment[];
  /**
   * Business days (trading days of the calendar) after its first sighting: up to the latest business
   * date reconciled (by the register's moment) while it is open or explained, else up to its last sighting.
   */
  readonly ageDays: number;
}

export interface RegisterQuery {
  /** Rebuild the register as it stood at this moment (ISO timestamp) from its events; now when absent. */
  readonly asOf?: string;
  readonly status?: readonly BreakStatus[];
  readonly recon?: readonly string[];
  /** Only breaks last seen on this business date (parseBusinessDate). */
  readonly lastSeenDate?: BusinessDate;
  /** Only breaks of this clearing house, by the records of their last sighting (house-filter.ts). */
  readonly house?: HouseFilter | null;
}

const PAGE = 1000;

/**
 * A case's age in business days (`c` the case, `state` the alias of its state): the trading days after
 * its first sighting, up to the latest business date reconciled by the register's moment while it is
 * outstanding (open or explained), else up to its last sighting.
 */
function ageDaysSql(state: 's' | 'c', asOf: string | undefined) {
  const st = sql.raw(state);
  return sql`(SELECT count(*)::int FROM calendar cal
    WHERE cal.market = (SELECT min(m.market) FROM calendar m) AND cal.trading AND cal.day > c.first_seen_date
      AND cal.day <= CASE WHEN ${st}.status IN ('open', 'explained')
        THEN greatest(${st}.last_seen_date, (SELECT max(r.business_date) FROM recon_run r
              WHERE r.status = 'completed' AND r.finished_at <= ${asOf ?? 'infinity'}::timestamptz))
        ELSE ${st}.last_seen_date END)`;
}
const TS = (col: string) => sql.raw(`to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`);

type Row = BreakCaseRow & { comments: BreakComment[]; age_days: number };

/**
 * The break register, by case id. Now, it is read from break_case (the state kept current with every
 * change); as of a past moment, it is rebuilt from break_event alone (the latest event of each case at
 * that moment). Two independent paths to the same answer: the property tests hold them to it.
 */
export async function* readRegister(store: Store, query: RegisterQuery = {}): AsyncGenerator<RegisterEntry> {
  const asOf = query.asOf;
  const state =
    asOf === undefined
      ? sql`(SELECT c.status, c.reason, c.reason_code, c.explained_by, c.assignee, c.last_seen_run, c.last_seen_date)`
      : stateAsOf(sql`c.id`, asOf);
  const filters = [
    query.status && query.status.length > 0 ? sql`s.status = ANY(${toArray(query.status)}::text[])` : null,
    query.recon && query.recon.length > 0 ? sql`c.recon = ANY(${toArray(query.recon)}::text[])` : null,
    query.lastSeenDate === undefined ? null : sql`s.last_seen_date = ${query.lastSeenDate}::date`,
    query.house ? caseInHouse(query.house, sql`s.last_seen_run`) : null,
  ].filter((f) => f !== null);
  for (let after = '0'; ;) {
    const page = await sql<Row>`SELECT c.id::text AS id, c.recon, c.entity, c.kind, c.key, s.status, s.reason,
        s.reason_code, s.explained_by, s.assignee, c.first_seen_run::text AS first_seen_run,
        to_char(c.first_seen_date, 'YYYY-MM-DD') AS first_seen_date, s.last_seen_run::text AS last_seen_run,
        to_char(s.last_seen_date, 'YYYY-MM-DD') AS last_seen_date,
        coalesce((SELECT jsonb_agg(jsonb_build_object('at', ${TS('e.at')}, 'actor', e.actor, 'note', e.note) ORDER BY e.id)
                  FROM break_event e WHERE e.case_id = c.id AND e.action = 'comment'
                    AND e.at <= ${asOf ?? 'infinity'}::timestamptz), '[]'::jsonb) AS comments,
        ${ageDaysSql('s', asOf)} AS age_days
      FROM break_case c CROSS JOIN LATERAL ${state} s
      WHERE c.id > ${after}::bigint ${filters.length > 0 ? sql`AND ${sql.join(filters, sql` AND `)}` : sql``}
      ORDER BY c.id LIMIT ${PAGE}`.execute(store.db);
    for (const r of page.rows) yield entry(r);
    if (page.rows.length < PAGE) return;
    after = page.rows[page.rows.length - 1]!.id;
  }
}

/** A Postgres array literal of names, each quoted, passed as one parameter. */
function toArray(names: readonly string[]): string {
  return `{${names.map((n) => `"${n.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
}

function entry(r: Row): RegisterEntry {
  return { ...caseFromRow(r), comments: r.comments, ageDays: Number(r.age_days) };
}

/** One event of a break's history. */
export interface BreakHistoryEvent {
  readonly id: string;
  readonly at: string;
  readonly actor: string;
  readonly action: BreakAction;
  readonly runId: string | null;
  readonly note: string | null;
  readonly status: BreakStatus;
  readonly reason: string | null;
  readonly reasonCode: string | null;
  readonly assignee: string | null;
  /** The operating-system user and host that ran the command; null for events recorded before they were. */
  readonly osUser: string | null;
  readonly osHost: string | null;
}

/** A break's whole story: its current state, every event, and the runs that found it. */
export interface BreakHistory {
  readonly entry: RegisterEntry;
  readonly events: readonly BreakHistoryEvent[];
  readonly sightings: readonly {
    readonly runId: string;
    readonly businessDate: string;
    readonly fields: unknown;
  }[];
}

/** The history of one break (case id); a clear error when there is no such break. */
export async function breakHistory(store: Store, caseId: string): Promise<BreakHistory> {
  const id = checkBreakId(caseId);
  const rows = await sql<Row>`SELECT c.id::text AS id, c.recon, c.entity, c.kind, c.key, c.status, c.reason,
      c.reason_code, c.explained_by, c.assignee, c.first_seen_run::text AS first_seen_run,
      to_char(c.first_seen_date, 'YYYY-MM-DD') AS first_seen_date, c.last_seen_run::text AS last_seen_run,
      to_char(c.last_seen_date, 'YYYY-MM-DD') AS last_seen_date, '[]'::jsonb AS comments,
      ${ageDaysSql('c', undefined)} AS age_days
    FROM break_case c WHERE c.id = ${id}::bigint`.execute(store.db);
  const row = rows.rows[0];
  if (row === undefined) {
    throw new DcassError('USAGE', `no break ${id} in the register`, {
      hint: 'dcass-recon breaks list shows the breaks and their ids',
    });
  }
  const events = await sql<{
    id: string;
    at: string;
    actor: string;
    action: BreakAction;
    run_id: string | null;
    note: string | null;
    status: BreakStatus;
    reason: string | null;
    reason_code: string | null;
    assignee: string | null;
    os_user: string | null;
    os_host: string | null;
  }>`SELECT e.id::text AS id, ${TS('e.at')} AS at, e.actor, e.action, e.run_id::text AS run_id, e.note, e.status,
      e.reason, e.reason_code, e.assignee, e.os_user, e.os_host
    FROM break_event e WHERE e.case_id = ${id}::bigint ORDER BY e.id`.execute(store.db);
  const sightings = await sql<{ run_id: string; business_date: string; fields: unknown }>`
    SELECT b.run_id::text AS run_id, to_char(r.business_date, 'YYYY-MM-DD') AS business_date, d.fields
    FROM ${SIGHTING} JOIN recon_run r ON r.id = b.run_id WHERE b.case_id = ${id}::bigint ORDER BY b.run_id`.execute(
    store.db,
  );
  const comments = events.rows
    .filter((e) => e.action === 'comment')
    .map((e) => ({ at: e.at, actor: e.actor, note: e.note ?? '' }));
  return {
    entry: { ...entry(row), comments },
    events: events.rows.map((e) => ({
      id: e.id,
      at: e.at,
      actor: e.actor,
      action: e.action,
      runId: e.run_id,
      note: e.note,
      status: e.status,
      reason: e.reason,
      reasonCode: e.reason_code,
      assignee: e.assignee,
      osUser: e.os_user,
      osHost: e.os_host,
    })),
    sightings: sightings.rows.map((s) => ({
      runId: s.run_id,
      businessDate: s.business_date,
      fields: s.fields,
    })),
  };
}

/** A break id as users type it; a clear error otherwise. */
export function checkBreakId(id: string): string {
  if (!/^[1-9]\d{0,17}$/.test(id)) {
    throw new DcassError('USAGE', `"${id}" is not a break id`, {
      hint: 'give the number the break report or dcass-recon breaks list printed',
    });
  }
  return id;
}
