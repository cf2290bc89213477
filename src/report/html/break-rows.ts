import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../db/database.js';
import type { BreakFieldDiff } from '../../db/tables/recon.table.js';
import type { BreakKind } from '../../reconcile/rule-set.js';
import {
  ageEnd,
  businessDayAges,
  runBreakTexts,
  type BreakTextSql,
  type CarriedScope,
} from '../break-pages.js';
import type { ReportBreak, ReportRecord } from '../run-data.js';

/**
 * The breaks of a run as the HTML report reads them: the same breaks, order, register state, records
 * and age as reportBreaks (run-data.ts) gives every report format, read the way a page of 100,000
 * breaks needs: each break comes back from the database as one JSON text (records as arrays of values
 * in a fixed column order, built by the database), parsed natively, the next pages asked for while
 * the current one is written (break-pages.ts). A test holds the two readers to the same output on
 * the fixtures (test/integration/report-html.test.ts).
 */

/** The record columns the report shows, per table, in the order the arrays hold them. */
export const RECORD_COLUMNS = {
  trades: [
    'source',
    'participant',
    'clearingDate',
    'session',
    'series',
    'root',
    'instrumentType',
    'expiry',
    'strike',
    'tradeNo',
    'dealNo',
    'ref',
    'account',
    'clientCode',
    'side',
    'quantity',
    'price',
    'tradeType',
    'origTradeNo',
    'execDate',
    'execAt',
    'openClose',
    'file',
    'line',
  ],
  positions: [
    'source',
    'participant',
    'positionDate',
    'account',
    'clientCode',
    'series',
    'root',
    'instrumentType',
    'expiry',
    'strike',
    'long',
    'short',
    'exercised',
    'assigned',
    'file',
    'line',
  ],
} as const;

/** Shape 0 is a trade record, shape 1 a position record (a rolled-forward position side holds trades). */
export const RECORD_SHAPES = [RECORD_COLUMNS.trades, RECORD_COLUMNS.positions] as const;

/**
 * One record as text: its shape ('0' a trade, '1' a position), then its values in that shape's column
 * order (the line number too: the page prints text).
 */
export type RecordRow = readonly (string | null)[];

/** A break as the HTML report writes it. */
export interface HtmlBreakRow {
  readonly id: string;
  readonly recon: string;
  readonly entity: 'trades' | 'positions';
  readonly kind: BreakKind;
  readonly status: ReportBreak['status'];
  readonly reason: string | null;
  readonly reasonCode: string | null;
  readonly explainedBy: string | null;
  readonly assignee: string | null;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly ageDays: number;
  /** This run no longer found the break: it cleared it (records of its last sighting). */
  readonly clearedByRun: boolean;
  /** Not found by this run, still open or explained: carried from an earlier date (run-data.ts carriedFrom). */
  readonly carried: boolean;
  readonly key: Readonly<Record<string, string | null>>;
  readonly fields: readonly BreakFieldDiff[];
  readonly left: readonly RecordRow[];
  readonly right: readonly RecordRow[];
  /** Comments on the break up to the register's moment: [at, actor, note]. */
  readonly comments: readonly (readonly [string, string, string | null])[];
}

/** A report break (reportBreaks) in the HTML report's form; comments are not part of a report break. */
export function rowOfReportBreak(b: ReportBreak): HtmlBreakRow {
  const rec = (r: ReportRecord): RecordRow => {
    const shape = 'tradeNo' in r ? 0 : 1;
    return [
      String(shape),
      ...RECORD_SHAPES[shape].map((c) => (r[c] === null || r[c] === undefined ? null : String(r[c]))),
    ];
  };
  return {
    id: b.id,
    recon: b.recon,
    entity: b.entity,
    kind: b.kind,
    status: b.status,
    reason: b.reason,
    reasonCode: b.reasonCode,
    explainedBy: b.explainedBy,
    assignee: b.assignee,
    firstSeen: b.firstSeenDate,
    lastSeen: b.lastSeen,
    ageDays: b.ageDays,
    clearedByRun: b.clearedByRun,
    carried: b.carried,
    key: b.key,
    fields: b.fields,
    left: b.leftRecords.map(rec),
    right: b.rightRecords.map(rec),
    comments: [],
  };
}

const TS = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const D = (col: string) => `to_char(${col}, 'YYYY-MM-DD')`;
const N = (col: string) => `trim_scale(${col})::text`;

// The values of RECORD_COLUMNS as text, printed as run-data.ts prints them (fixed text, no input); `t`
// is the trade, `p` the position, `f` the record's file. A text array turned to JSON costs the database
// half what json_build_array of the same values does.
const TRADE_VALUES = `'0', t.source, t.participant, ${D('t.clearing_date')}, t.session, t.series, t.root, t.instrument_type,
  t.expiry, ${N('t.strike')}, t.trade_no, t.deal_no, t.ref, t.account, t.client_code, t.side, ${N('t.quantity')},
  ${N('t.price')}, t.trade_type, t.orig_trade_no, ${D('t.exec_date')}, ${TS('t.exec_at')}, t.open_close, f.file_name,
  t.line_no::text`;
const POSITION_VALUES = `'1', p.source, p.participant, ${D('p.position_date')}, p.account, p.client_code, p.series, p.root,
  p.instrument_type, p.expiry, ${N('p.strike')}, ${N('p.long_qty')}, ${N('p.short_qty')}, ${N('p.exercised_qty')},
  ${N('p.assigned_qty')}, f.file_name, p.line_no::text`;

// A side's records in the order of its ids, as run-data.ts picks them: a negative id is a trade on a
// rolled-forward position side; an id with no record is left out.
const recordsOf = (ids: string): RawBuilder<unknown> =>
  sql.raw(`(SELECT coalesce(json_agg(array_to_json(CASE WHEN t.id IS NOT NULL THEN ARRAY[${TRADE_VALUES}]
        ELSE ARRAY[${POSITION_VALUES}] END) ORDER BY u.ord), '[]'::json)
      FROM unnest(${ids}) WITH ORDINALITY AS u(id, ord)
      LEFT JOIN trade t ON (c.entity = 'trades' OR u.id < 0) AND t.id = abs(u.id)
      LEFT JOIN position p ON c.entity <> 'trades' AND u.id > 0 AND p.id = u.id
      LEFT JOIN source_file f ON f.id = coalesce(t.file_id, p.file_id)
      WHERE t.id IS NOT NULL OR p.id IS NOT NULL)`);

type Parsed = [
  [
    id: string,
    recon: string,
    entity: HtmlBreakRow['entity'],
    kind: BreakKind,
    status: HtmlBreakRow['status'],
    reason: string | null,
    reasonCode: string | null,
    explainedBy: string | null,
    assignee: string | null,
    firstSeen: string,
    lastSeen: string,
  ],
  Record<string, string | null>,
  BreakFieldDiff[],
  RecordRow[],
  RecordRow[],
  [string, string, string | null][],
];

/**
 * A break as the page query returns it (runBreakTexts): one text, the JSON values of [scalars, key,
 * fields, left, right, comments] joined by commas (the driver then handles one column, and JSON.parse
 * does the rest natively). `lastSeen` names the state whose last sighting is shown: the register
 * state's for the run's own breaks, the carried state's (`m`) for carried ones.
 */
function breakText(asOf: string | null, comments: boolean): BreakTextSql {
  const commentsOf = comments
    ? sql`(SELECT coalesce(json_agg(array_to_json(ARRAY[${sql.raw(TS('e.at'))}, e.actor, e.note]) ORDER BY e.id), '[]'::json)
       FROM break_event e WHERE e.case_id = c.id AND e.action = 'comment' AND e.at <= ${asOf ?? 'infinity'}::timestamptz)::text`
    : sql`'[]'`;
  return (
    lastSeen,
  ) => sql`array_to_json(ARRAY[c.id::text, c.recon, c.entity, c.kind, s.status, s.reason, s.reason_code,
      s.explained_by, s.assignee, to_char(c.first_seen_date, 'YYYY-MM-DD'),
      to_char(${sql.raw(lastSeen)}.last_seen_date, 'YYYY-MM-DD')])::text
    || ',' || d.key::text || ',' || d.fields::text || ',' || ${recordsOf('d.left_ids')}::text
    || ',' || ${recordsOf('d.right_ids')}::text || ',' || ${commentsOf}`;
}

/**
 * The breaks of a run, as reportBreaks lists them (runBreakTexts: the run's own, those it cleared,
 * those it carries), each with its register state as of the run's `asOf` (now when null), its records
 * (file and line), its age in business days and its comments. Run it inside a transaction with jit off
 * (writeBreaksHtml does).
 */
export async function* htmlBreakRows(
  db: Kysely<Database>,
  run: CarriedScope,
  options: { readonly pageSize?: number } = {},
): AsyncGenerator<HtmlBreakRow> {
  // Comments are rare: when the register holds none, no break is asked for its own.
  const comments = (
    await sql<{
      any: boolean;
    }>`SELECT EXISTS (SELECT 1 FROM break_event WHERE action = 'comment') AS any`.execute(db)
  ).rows[0]?.any;
  const ageOf = await businessDayAges(db);
  for await (const row of runBreakTexts(db, run, breakText(run.asOf, comments === true), options)) {
    const [a, key, fields, left, right, notes] = JSON.parse(`[${row.j}]`) as Parsed;
    yield {
      id: a[0],
      recon: a[1],
      entity: a[2],
      kind: a[3],
      status: a[4],
      reason: a[5],
      reasonCode: a[6],
      explainedBy: a[7],
      assignee: a[8],
      firstSeen: a[9],
      lastSeen: a[10],
      ageDays: ageOf(a[9], ageEnd(a[4], a[10], run.businessDate)),
      clearedByRun: row.clearedByRun,
      carried: row.carried,
      key,
      fields,
      left,
      right,
      comments: notes,
    };
  }
}
