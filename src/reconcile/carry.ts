import { sql } from 'kysely';
import { lookedAtSql, type Statement } from './compile.js';
import type { Reconciliation } from './rule-set.js';

/** Who and what a run's carry step records its register events for. */
export interface CarryContext {
  readonly runId: string;
  readonly businessDate: string;
  /** Recorded on every break_event the run appends. */
  readonly actor: string;
}

// A person's decision outlives the run that saw it: a case resolved, or explained by a person, keeps
// that status while later runs keep finding the same break. A rule's explanation is re-decided by
// every run (the rule or the data may have changed).
const PERSON_DECIDED = sql`(c.status = 'resolved' OR (c.status = 'explained' AND c.explained_by NOT LIKE 'rule:%'))`;

// ... but only while the records are the ones it was made about: the content of the sighting the
// latest explanation or resolution was made on (its event's last_seen_run) must equal the content this
// run found. Otherwise the decision does not move to the new records: the case goes back to what the
// run decides, and the event says why. Breaks of runs before contents were kept (null) keep theirs.
const RECORDS_CHANGED = sql`EXISTS (
  SELECT 1 FROM break_event d JOIN break_sighting dss ON dss.case_id = d.case_id AND dss.run_id = d.last_seen_run
    JOIN break_detail ds ON ds.id = dss.detail_id
  WHERE d.id = (SELECT max(d2.id) FROM break_event d2 WHERE d2.case_id = c.id AND d2.action IN ('explain', 'resolve'))
    AND ds.content IS NOT NULL AND b.content IS NOT NULL AND ds.content <> b.content)`;

/**
 * The statements that carry one reconciliation's breaks of a run (rx_break: the run stores them when
 * it completes) into the break register:
 * 1. a break with a fingerprint never seen before opens a case (event `detected`);
 * 2. a case found again is `seen` (or `reappeared` after it had cleared): last seen moves on, a
 *    person's decision is kept, otherwise the run's own status (open, or explained by a rule) applies;
 * 3. the run's breaks take their case id;
 * 4. a case this run no longer finds is `cleared`, only when the run looked at it: the same
 *    reconciliation (carry runs only for a reconciliation that ran with all its inputs present), a
 *    re-run of the date it was last seen on, or for positions (a state carried day to day) any later
 *    date, and every record of its last sighting inside this run's sources and filters (lookedAtSql).
 *    Anything else leaves the case exactly as it was: a trade break of another date, a break a
 *    narrower rule set does not cover, a reconciliation skipped or incomplete.
 * Each step appends the events and updates the cases in one statement, so the register's current
 * state and its history never disagree.
 */
export function carryStatements(recon: Reconciliation, ctx: CarryContext): Statement[] {
  const run = sql`${ctx.runId}::bigint`;
  const date = sql`${ctx.businessDate}::date`;
  const name = sql`${recon.name}::text`;
  const actor = sql`${ctx.actor}::text`;
  return [
    {
      label: 'register: new breaks',
      query: sql`WITH created AS (
          INSERT INTO break_case (recon, fingerprint, entity, kind, key, first_seen_run, first_seen_date,
            last_seen_run, last_seen_date, status, reason, explained_by)
          SELECT b.recon, b.fingerprint, b.entity, b.kind, b.key, ${run}, ${date}, ${run}, ${date},
            b.status, b.reason, b.explained_by
          FROM rx_break b WHERE b.recon = ${name}
          ORDER BY b.id
          ON CONFLICT (recon, fingerprint) DO NOTHING
          RETURNING *)
        INSERT INTO break_event (case_id, run_id, actor, action, status, reason, reason_code, explained_by, assignee,
          last_seen_run, last_seen_date)
        SELECT c.id, ${run}, ${actor}, 'detected', c.status, c.reason, NULL, c.explained_by, NULL, ${run}, ${date}
        FROM created c ORDER BY c.id`,
    },
    {
      label: 'register: breaks seen again',
      query: sql`WITH seen AS (
          SELECT c.id AS case_id,
            CASE WHEN c.status = 'cleared' THEN 'reappeared' ELSE 'seen' END AS action,
            ${PERSON_DECIDED} AND NOT ${RECORDS_CHANGED} AS keep,
            ${PERSON_DECIDED} AND ${RECORDS_CHANGED} AS dropped,
            b.status AS run_status, b.reason AS run_reason, b.explained_by AS run_by
          FROM rx_break b JOIN break_case c ON c.recon = b.recon AND c.fingerprint = b.fingerprint
          WHERE b.recon = ${name} AND c.first_seen_run <> ${run}),
        updated AS (
          UPDATE break_case c SET
            status = CASE WHEN s.keep THEN c.status ELSE s.run_status END,
            reason = CASE WHEN s.keep THEN c.reason ELSE s.run_reason END,
            reason_code = CASE WHEN s.keep THEN c.reason_code ELSE NULL END,
            explained_by = CASE WHEN s.keep THEN c.explained_by ELSE s.run_by END,
            last_seen_run = CASE WHEN ${date} >= c.last_seen_date THEN ${run} ELSE c.last_seen_run END,
            last_seen_date = greatest(c.last_seen_date, ${date})
          FROM seen s WHERE c.id = s.case_id
          RETURNING c.*, s.action, s.dropped)
        INSERT INTO break_event (case_id, run_id, actor, action, note, status, reason, reason_code, explained_by,
          assignee, last_seen_run, last_seen_date)
        SELECT u.id, ${run}, ${actor}, u.action,
          CASE WHEN u.dropped THEN 'the records changed since the last explanation or resolution: it no longer applies' END,
          u.status, u.reason, u.reason_code, u.explained_by, u.assignee, u.last_seen_run, u.last_seen_date
        FROM updated u ORDER BY u.id`,
    },
    {
      label: 'register: link breaks to cases',
      query: sql`UPDATE rx_break b SET case_id = c.id FROM break_case c
        WHERE b.recon = ${name} AND c.recon = b.recon AND c.fingerprint = b.fingerprint`,
    },
    {
      label: 'register: cleared breaks',
      query: sql`WITH cleared AS (
          UPDATE break_case c SET status = 'cleared', reason = NULL, reason_code = NULL, explained_by = NULL
          WHERE c.recon = ${name} AND c.status <> 'cleared'
            AND (c.last_seen_date = ${date} OR (c.entity = 'positions' AND c.last_seen_date < ${date}))
            AND ${lookedAtSql(recon)}
            AND NOT EXISTS (SELECT 1 FROM rx_break b WHERE b.case_id = c.id)
          RETURNING c.*)
        INSERT INTO break_event (case_id, run_id, actor, action, note, status, reason, reason_code, explained_by,
          assignee, last_seen_run, last_seen_date)
        SELECT c.id, ${run}, ${actor}, 'cleared', 'not found by run ' || ${ctx.runId}::text || ' of ' || ${ctx.businessDate}::text,
          'cleared', NULL, NULL, NULL, c.assignee, c.last_seen_run, c.last_seen_date
        FROM cleared c ORDER BY c.id`,
    },
  ];
}
