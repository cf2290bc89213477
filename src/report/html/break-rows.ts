import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../db/database.js';
import type { BreakFieldDiff } from '../../db/tables/recon.table.js';
import { stateAsOf } from '../../reconcile/breaks.js';
import type { BreakKind } from '../../reconcile/rule-set.js';
import { ageEnd, carriedFrom, type ReportBreak, type ReportRecord, type ReportRun } from '../run-data.js';

/**
 * The breaks of a run as the HTML report reads them: the same breaks, order, register state, records
 * and age as reportBreaks (run-data.ts) gives every report format, read the way a page of 100,000
 * breaks needs. reportBreaks builds one object per record from 25 columns parsed by the driver and
 * fetches records in a second query per batch; here each break comes back from the database as one
 * JSON text (records as arrays of values in a fixed column order, built by the database), parsed
 * natively, and the next page is asked for while the current one is written. A test holds the two
 * readers to the same output on the fixtures (test/integration/report-html.test.ts).
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
      LEFT JOIN trade t ON (b.entity = 'trades' OR u.id < 0) AND t.id = abs(u.id)
      LEFT JOIN position p ON b.entity <> 'trades' AND u.id > 0 AND p.id = u.id
      LEFT JOIN source_file f ON f.id = coalesce(t.file_id, p.file_id)
      WHERE t.id IS NOT NULL OR p.id IS NOT NULL)`);

/**
 * A break as the page query returns it: one text, the JSON values of [scalars, key, fields, left,
 * right, comments] joined by commas (the driver then handles one column, and JSON.parse does the rest
 * natively), and the page cursor.
 */
interface PageRow {
  readonly j: string;
  readonly cursor: string;
}

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

// `lastSeen` is the column of the last sighting whose records are shown: the register state's for the
// run's own breaks, the carried state's (`m`) for carried ones.
function breakText(
  asOf: string | null,
  comments: boolean,
  lastSeen: RawBuilder<unknown>,
): RawBuilder<unknown> {
  const commentsOf = comments
    ? sql`(SELECT coalesce(json_agg(array_to_json(ARRAY[${sql.raw(TS('e.at'))}, e.actor, e.note]) ORDER BY e.id), '[]'::json)
       FROM break_event e WHERE e.case_id = c.id AND e.action = 'comment' AND e.at <= ${asOf ?? 'infinity'}::timestamptz)::text`
    : sql`'[]'`;
  return sql`array_to_json(ARRAY[c.id::text, b.recon, b.entity, b.kind, s.status, s.reason, s.reason_code, s.explained_by,
      s.assignee, to_char(c.first_seen_date, 'YYYY-MM-DD'), to_char(${lastSeen}, 'YYYY-MM-DD')])::text
    || ',' || b.key::text || ',' || b.fields::text || ',' || ${recordsOf('b.left_ids')}::text
    || ',' || ${recordsOf('b.right_ids')}::text || ',' || ${commentsOf}`;
}

// Breaks per page query: large enough that a query's fixed cost is small, small enough to keep a
// few pages in flight.
const DEFAULT_PAGE = 2000;
// Pages asked for ahead of the one being written.
const AHEAD = 3;

/** How many of the sorted ISO dates are on or before `date`. */
function countUpTo(sorted: readonly string[], date: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The breaks of a run, as reportBreaks lists them: the run's own in their stable order (seq), then
 * those of earlier runs it cleared (by case id), then those it carries (by case id), each with its register state as of the run's `asOf`
 * (now when null), its records (file and line) and its age in business days. Run it inside a
 * transaction with jit off (writeBreaksHtml does): a page query's estimated cost crosses PostgreSQL's
 * JIT thresholds, and compiling it costs far more than running it.
 */
export async function* htmlBreakRows(
  db: Kysely<Database>,
  run: Pick<ReportRun, 'id' | 'asOf' | 'businessDate' | 'finishedAt'>,
  options: { readonly pageSize?: number } = {},
): AsyncGenerator<HtmlBreakRow> {
  const PAGE = Math.max(1, Math.floor(options.pageSize ?? DEFAULT_PAGE));
  const asOf = run.asOf;
  // Comments are rare: when the register holds none, no break is asked for its own.
  const comments = (
    await sql<{
      any: boolean;
    }>`SELECT EXISTS (SELECT 1 FROM break_event WHERE action = 'comment') AS any`.execute(db)
  ).rows[0]?.any;
  const state = (caseId: RawBuilder<unknown>) => stateAsOf(caseId, asOf ?? undefined);
  const text = breakText(asOf, comments === true, sql`s.last_seen_date`);
  const carriedText = breakText(asOf, comments === true, sql`m.last_seen_date`);
  // The run's own breaks by ranges of their place in its order (numbered 1..n when it completed), so
  // that several pages can be asked for at once: the database computes the next while one is written.
  const own = (from: number, to: number) =>
    sql<PageRow>`SELECT ${text} AS j, b.seq::text AS cursor
      FROM recon_break b JOIN break_case c ON c.id = b.case_id
      CROSS JOIN LATERAL ${state(sql`b.case_id`)} s
      WHERE b.run_id = ${run.id}::bigint AND b.seq > ${from}::integer AND b.seq <= ${to}::integer
      ORDER BY b.seq LIMIT ${PAGE}`.execute(db); // the limit, redundant, keeps the planner on the index
  const cleared = (after: string) =>
    sql<PageRow>`SELECT ${text} AS j, c.id::text AS cursor
      FROM break_event ce JOIN break_case c ON c.id = ce.case_id
      JOIN recon_break b ON b.case_id = c.id AND b.run_id = ce.last_seen_run
      CROSS JOIN LATERAL ${state(sql`c.id`)} s
      WHERE ce.run_id = ${run.id}::bigint AND ce.action = 'cleared' AND c.id > ${after}::bigint
      ORDER BY c.id LIMIT ${PAGE}`.execute(db);
  const carried = (after: string) =>
    sql<PageRow>`SELECT ${carriedText} AS j, c.id::text AS cursor
      ${carriedFrom(run)} AND c.id > ${after}::bigint
      ORDER BY c.id LIMIT ${PAGE}`.execute(db);

  const last = Number(
    (
      await sql<{ n: string }>`SELECT coalesce(max(seq), 0)::text AS n FROM recon_break
        WHERE run_id = ${run.id}::bigint`.execute(db)
    ).rows[0]?.n ?? 0,
  );
  // Age in business days: the trading days after the first sighting up to the run's date (the last
  // sighting once closed), as run-data.ts counts them (ageEnd), from the calendar read once.
  const trading = (
    await sql<{ d: string }>`SELECT DISTINCT to_char(day, 'YYYY-MM-DD') AS d FROM calendar WHERE trading
      ORDER BY d`.execute(db)
  ).rows.map((r) => r.d);
  const ages = new Map<string, number>();
  const ageOf = (first: string, end: string): number => {
    const k = `${first}/${end}`;
    let a = ages.get(k);
    if (a === undefined) {
      a = Math.max(0, countUpTo(trading, end) - countUpTo(trading, first));
      ages.set(k, a);
    }
    return a;
  };

  async function* ownPages(): AsyncGenerator<PageRow[]> {
    const inFlight: Promise<{ rows: PageRow[] }>[] = [];
    let from = 0;
    const ask = () => {
      while (inFlight.length < AHEAD && from < last) {
        const p = own(from, from + PAGE);
        p.catch(() => undefined); // awaited below; until then a failure must not count as unhandled
        inFlight.push(p);
        from += PAGE;
      }
    };
    ask();
    while (inFlight.length > 0) {
      const page = (await inFlight.shift()!).rows;
      ask();
      yield page;
    }
  }
  // Pages along a case-id cursor, the next asked for while one is written.
  async function* casePages(query: typeof cleared): AsyncGenerator<PageRow[]> {
    let next: Promise<{ rows: PageRow[] }> | null = query('0');
    while (next !== null) {
      const page: PageRow[] = (await next).rows;
      next = page.length < PAGE ? null : query(page[page.length - 1]!.cursor);
      next?.catch(() => undefined);
      yield page;
    }
  }

  for (const [pages, clearedByRun, isCarried] of [
    [ownPages(), false, false],
    [casePages(cleared), true, false],
    [casePages(carried), false, true],
  ] as const) {
    for await (const page of pages) {
      for (const [i, row] of page.entries()) {
        // Writing a page runs in microtasks only; without a turn of the event loop now and then, the
        // next pages' rows would sit unread in the socket and the database would wait for us.
        if (i % 200 === 199) await new Promise((resolve) => setImmediate(resolve));
        const [a, key, fields, left, right, comments] = JSON.parse(`[${row.j}]`) as Parsed;
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
          clearedByRun,
          carried: isCarried,
          key,
          fields,
          left,
          right,
          comments,
        };
      }
    }
  }
}
