import { sql, type RawBuilder } from 'kysely';
import type { Store } from '../db/connect.js';
import type { BreakFieldDiff } from '../db/tables/recon.table.js';
import type { BreakKind, BreakStatus, ReconciledEntity } from '../model/vocabulary.js';

/** A break as the register holds it: its identity across runs and its state; dates as strings. */
export interface BreakCase {
  /** The break register's case id: the same break keeps it across runs; people act on it. */
  readonly id: string;
  readonly recon: string;
  readonly entity: ReconciledEntity;
  readonly kind: BreakKind;
  readonly key: Readonly<Record<string, string | null>>;
  /** Register state as of the moment asked for (now by default). */
  readonly status: BreakStatus;
  readonly reason: string | null;
  readonly reasonCode: string | null;
  /** `rule:NAME` when a rule explained it, else the person who did. */
  readonly explainedBy: string | null;
  readonly assignee: string | null;
  readonly firstSeenRun: string;
  readonly firstSeenDate: string;
  readonly lastSeenRun: string;
  readonly lastSeenDate: string;
}

/** The columns of a break case as queries select them (see caseFromRow). */
export type BreakCaseRow = {
  id: string;
  recon: string;
  entity: BreakCase['entity'];
  kind: BreakKind;
  key: Record<string, string | null>;
  status: BreakStatus;
  reason: string | null;
  reason_code: string | null;
  explained_by: string | null;
  assignee: string | null;
  first_seen_run: string;
  first_seen_date: string;
  last_seen_run: string;
  last_seen_date: string;
};

export function caseFromRow(r: BreakCaseRow): BreakCase {
  return {
    id: String(r.id),
    recon: r.recon,
    entity: r.entity,
    kind: r.kind,
    key: r.key,
    status: r.status,
    reason: r.reason,
    reasonCode: r.reason_code,
    explainedBy: r.explained_by,
    assignee: r.assignee,
    firstSeenRun: String(r.first_seen_run),
    firstSeenDate: r.first_seen_date,
    lastSeenRun: String(r.last_seen_run),
    lastSeenDate: r.last_seen_date,
  };
}

/** A break of a run, with its state in the break register; decimals and dates as strings. */
export interface Break extends BreakCase {
  /** This run's row of the break; the row of the run that last saw it when this run cleared it. */
  readonly occurrenceId: string;
  readonly runId: string;
  readonly pass: number | null;
  readonly fields: readonly BreakFieldDiff[];
  readonly leftIds: readonly string[];
  readonly rightIds: readonly string[];
  readonly fingerprint: string;
  /** True when this run no longer found the break (it cleared it); its records are of the last sighting. */
  readonly clearedByRun: boolean;
}

export interface ListBreaksOptions {
  /** Read the register as it stood at this moment (ISO timestamp); now when absent. */
  readonly asOf?: string;
}

const PAGE = 1000;

type BreakRow = BreakCaseRow & {
  occurrence_id: string;
  run_id: string;
  pass: number | null;
  fields: BreakFieldDiff[];
  left_ids: string[];
  right_ids: string[];
  fingerprint: string;
  cursor: string;
};

/** The case's state after its latest event at or before `asOf`: the register as it stood then. */
export function stateAsOf(caseId: RawBuilder<unknown>, asOf: string | undefined): RawBuilder<unknown> {
  return sql`(SELECT e.status, e.reason, e.reason_code, e.explained_by, e.assignee, e.last_seen_run, e.last_seen_date
    FROM break_event e WHERE e.case_id = ${caseId} AND e.at <= ${asOf ?? 'infinity'}::timestamptz
    ORDER BY e.id DESC LIMIT 1)`;
}

/**
 * A run's sighting of a case (`b`, break_sighting) with what it found (`d`, break_detail, stored once
 * per distinct finding of the case): the stored form of a break of a run (migration 0013).
 */
export const SIGHTING = sql`break_sighting b JOIN break_detail d ON d.id = b.detail_id`;

function columns(runId: string): RawBuilder<unknown> {
  return sql`c.id, b.id AS occurrence_id, ${runId}::bigint AS run_id, c.recon, c.entity, c.kind, d.pass, d.key,
    d.fields, d.left_ids::text[] AS left_ids, d.right_ids::text[] AS right_ids, c.fingerprint, s.status, s.reason,
    s.reason_code, s.explained_by, s.assignee, c.first_seen_run, to_char(c.first_seen_date, 'YYYY-MM-DD') AS first_seen_date,
    s.last_seen_run, to_char(s.last_seen_date, 'YYYY-MM-DD') AS last_seen_date`;
}

function toBreak(b: BreakRow, clearedByRun: boolean): Break {
  return {
    ...caseFromRow(b),
    occurrenceId: String(b.occurrence_id),
    runId: String(b.run_id),
    pass: b.pass,
    fields: b.fields,
    leftIds: b.left_ids,
    rightIds: b.right_ids,
    fingerprint: b.fingerprint,
    clearedByRun,
  };
}

/**
 * The breaks of a run in their stable order (reconciliation as the run listed them, then key, kind
 * and record ids, bytewise), then the breaks of earlier runs that this run cleared (by case id), each
 * with its register state as of `asOf`. Streamed a page at a time along an index.
 */
export async function* listBreaks(
  store: Store,
  runId: string,
  options: ListBreaksOptions = {},
): AsyncGenerator<Break> {
  for (let after = 0; ;) {
    const page = await sql<BreakRow>`SELECT ${columns(runId)}, b.seq::text AS cursor
      FROM ${SIGHTING} JOIN break_case c ON c.id = b.case_id
      CROSS JOIN LATERAL ${stateAsOf(sql`b.case_id`, options.asOf)} s
      WHERE b.run_id = ${runId}::bigint AND b.seq > ${after}::integer
      ORDER BY b.seq LIMIT ${PAGE}`.execute(store.db);
    for (const b of page.rows) yield toBreak(b, false);
    if (page.rows.length < PAGE) break;
    after = Number(page.rows[page.rows.length - 1]!.cursor);
  }
  for (let after = '0'; ;) {
    const page = await sql<BreakRow>`SELECT ${columns(runId)}, c.id::text AS cursor
      FROM break_event ce JOIN break_case c ON c.id = ce.case_id
      JOIN ${SIGHTING} ON b.case_id = c.id AND b.run_id = ce.last_seen_run
      CROSS JOIN LATERAL ${stateAsOf(sql`c.id`, options.asOf)} s
      WHERE ce.run_id = ${runId}::bigint AND ce.action = 'cleared' AND c.id > ${after}::bigint
      ORDER BY c.id LIMIT ${PAGE}`.execute(store.db);
    for (const b of page.rows) yield toBreak(b, true);
    if (page.rows.length < PAGE) return;
    after = page.rows[page.rows.length - 1]!.cursor;
  }
}

/**
 * Stores a completed run's breaks (rx_break, linked to their cases by the carry step): each finding
 * not stored before for its case becomes a break_detail (its signature covers everything the detail
 * holds, so an unchanged break of a re-run finds its detail and adds none), and every break one
 * break_sighting, numbered in the run's stable order: the order every report lists them in.
 */
export function storeBreaksStatement(runId: string): RawBuilder<unknown> {
  const sig = sql`encode(sha256(convert_to(concat_ws(chr(31), coalesce(x.content, ''), coalesce(x.pass::text, ''),
    x.key::text, x.fields::text, x.left_ids::text, x.right_ids::text), 'UTF8')), 'hex')`;
  return sql`WITH found AS (
      SELECT x.*, ${sig} AS sig, row_number() OVER (ORDER BY array_position(r.recons, x.recon), x.key::text COLLATE "C",
          x.kind COLLATE "C", x.left_ids, x.right_ids, x.id) AS seq
      FROM rx_break x JOIN recon_run r ON r.id = ${runId}::bigint),
    created AS (
      INSERT INTO break_detail (case_id, sig, pass, key, fields, left_ids, right_ids, content)
      SELECT f.case_id, f.sig, f.pass, f.key, f.fields, f.left_ids, f.right_ids, f.content FROM found f ORDER BY f.seq
      ON CONFLICT (case_id, sig) DO NOTHING
      RETURNING id, case_id, sig)
    INSERT INTO break_sighting (run_id, seq, case_id, detail_id, triangulation)
    SELECT ${runId}::bigint, f.seq, f.case_id, coalesce(n.id, o.id), f.triangulation
    FROM found f LEFT JOIN created n ON n.case_id = f.case_id AND n.sig = f.sig
      LEFT JOIN break_detail o ON o.case_id = f.case_id AND o.sig = f.sig
    ORDER BY f.seq`;
}
