import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database.js';

/** Where a report reads from: the store, or a transaction of it. */
export interface ReportDb {
  readonly db: Kysely<Database>;
}

/**
 * One business date of the break history the HTML report charts: the latest completed run of that
 * date (up to the reported run) and the break register as it stood when that run finished.
 *
 * Every count is limited to the reconciliations of the reported run.
 */
export interface HistoryDay {
  readonly businessDate: string;
  /** The run standing for the date: its latest completed run with an id up to the reported run's. */
  readonly runId: string;
  /** The moment the register is read at: when that run finished, or the as-of moment if earlier. */
  readonly moment: string;
  /** Breaks that run found (its recon_break rows), whatever their status. */
  readonly found: number;
  /** Cases that run opened: a fingerprint never seen before (break_event `detected`). */
  readonly detected: number;
  /** Cases that had cleared and that run found again (break_event `reappeared`). */
  readonly reappeared: number;
  /** Cases that run no longer found, so cleared (break_event `cleared` of that run). */
  readonly cleared: number;
  /** Cases open in the register at `moment`: found and neither explained, resolved nor cleared. Includes older dates' breaks still open. */
  readonly open: number;
  /** Cases explained (by a rule or a person) at `moment`. */
  readonly explained: number;
  /** Cases a person had resolved by `moment` (all dates, cumulative). */
  readonly resolved: number;
}

/** Which dates the history covers. */
export interface HistoryOptions {
  /** Read the register as of this moment (ISO timestamp) rather than when each run finished, when earlier. */
  readonly asOf?: string | null;
  /** The first business date (YYYY-MM-DD) of the range; default: none, bounded by `maxDays`. */
  readonly from?: string | null;
  /** At most this many business dates, the latest ones (default 62: a stabilisation period with room). */
  readonly maxDays?: number;
}

/**
 * The break history of the business dates up to a run's (the stabilisation period): per date, what
 * its run found, opened, saw again and cleared, and how many cases were open, explained and resolved
 * in the register when it finished. Read from recon_run, recon_break, break_case and break_event,
 * set-based in the database; oldest date first.
 */
export async function dailyBreakHistory(
  store: ReportDb,
  runId: string,
  options: HistoryOptions = {},
): Promise<HistoryDay[]> {
  const asOf = options.asOf ?? null;
  const from = options.from ?? null;
  const maxDays = Math.max(1, Math.floor(options.maxDays ?? 62));
  const res = await sql<{
    business_date: string;
    run_id: string;
    moment: string;
    found: string;
    detected: string;
    reappeared: string;
    cleared: string;
    open: string;
    explained: string;
    resolved: string;
  }>`WITH reported AS (
        SELECT id, business_date FROM recon_run WHERE id = ${runId}::bigint),
      scope AS (
        SELECT unnest(r.recons) AS recon FROM recon_run r WHERE r.id = ${runId}::bigint),
      latest AS (
        SELECT DISTINCT ON (r.business_date) r.id, r.business_date, r.finished_at
        FROM recon_run r, reported p
        WHERE r.status = 'completed' AND r.id <= p.id AND r.business_date <= p.business_date
          AND (${from}::date IS NULL OR r.business_date >= ${from}::date)
        ORDER BY r.business_date, r.id DESC),
      days AS (
        -- A run's register events are written in its transaction, before its finish (database clock).
        SELECT l.id, l.business_date, least(l.finished_at, ${asOf}::timestamptz) AS moment
        FROM latest l ORDER BY l.business_date DESC LIMIT ${maxDays}),
      -- Each event of a case holds the case's whole state from its moment until a later event (by id)
      -- takes over: the register at moment m is, per case, the event in force at m.
      spans AS MATERIALIZED (
        SELECT e.status, e.at AS since,
          min(e.at) OVER (PARTITION BY e.case_id ORDER BY e.id ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS until
        FROM break_event e JOIN break_case c ON c.id = e.case_id
        WHERE c.recon IN (SELECT recon FROM scope)),
      states AS MATERIALIZED (
        SELECT d.id, count(*) FILTER (WHERE s.status = 'open') AS open,
               count(*) FILTER (WHERE s.status = 'explained') AS explained,
               count(*) FILTER (WHERE s.status = 'resolved') AS resolved
        FROM days d JOIN spans s ON s.since <= d.moment AND (s.until IS NULL OR s.until > d.moment)
        GROUP BY d.id)
      SELECT to_char(d.business_date, 'YYYY-MM-DD') AS business_date, d.id::text AS run_id,
        to_char(d.moment AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS moment,
        (SELECT count(*) FROM recon_break b WHERE b.run_id = d.id AND b.recon IN (SELECT recon FROM scope))::text AS found,
        ev.detected::text AS detected, ev.reappeared::text AS reappeared, ev.cleared::text AS cleared,
        coalesce(st.open, 0)::text AS open, coalesce(st.explained, 0)::text AS explained,
        coalesce(st.resolved, 0)::text AS resolved
      FROM days d
      CROSS JOIN LATERAL (
        SELECT count(*) FILTER (WHERE e.action = 'detected') AS detected,
               count(*) FILTER (WHERE e.action = 'reappeared') AS reappeared,
               count(*) FILTER (WHERE e.action = 'cleared') AS cleared
        FROM break_event e JOIN break_case c ON c.id = e.case_id
        WHERE e.run_id = d.id AND c.recon IN (SELECT recon FROM scope)) ev
      LEFT JOIN states st ON st.id = d.id
      ORDER BY d.business_date`.execute(store.db);
  return res.rows.map((r) => ({
    businessDate: r.business_date,
    runId: r.run_id,
    moment: r.moment,
    found: Number(r.found),
    detected: Number(r.detected),
    reappeared: Number(r.reappeared),
    cleared: Number(r.cleared),
    open: Number(r.open),
    explained: Number(r.explained),
    resolved: Number(r.resolved),
  }));
}
