import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Store } from '../db/connect.js';
import type { Database } from '../db/database.js';
import type { BreakFieldDiff } from '../db/tables/recon.table.js';
import { textSql } from '../model/entities.js';
import { recordJsonSql, reportRecordKeys, recordTextsSql } from '../model/record-sql.js';
import type { BreakKind, BreakStatus, ReconciledEntity, Triangulation } from '../model/vocabulary.js';
import {
  ageEnd,
  businessDayAges,
  readInTransaction,
  runBreakTexts,
  type BreakText,
  type BreakTextSql,
  type CarriedScope,
} from './break-pages.js';

/**
 * The one reader of a run's breaks that every report shares (breaks.json, breaks.csv, the HTML page,
 * the evidence pack): the run's own breaks in their stable order, then those it cleared, then those
 * it carries (break-pages.ts), each with its register state, its records (file and line), its age in
 * business days and, when asked, its comments. Each break comes back from the database as one text
 * built by the database, its records as arrays of text values in a fixed column order (an array costs
 * the database half what an object of the same values does), and is parsed natively; a format that
 * prints records as objects names the values with recordObject.
 */

/**
 * The record columns every report prints, per shape, in the order a record's values hold them (the
 * model's): shape 0 is a trade record, shape 1 a position record (a rolled-forward position side
 * holds trades).
 */
export const RECORD_SHAPES = [reportRecordKeys('trades'), reportRecordKeys('positions')] as const;

/**
 * One record as the reader gives it: its shape ('0' a trade, '1' a position), its id, then its values
 * in that shape's column order (RECORD_SHAPES), every one text (the line number too).
 */
export type RecordRow = readonly (string | null)[];

/** Where a record's values start in a RecordRow: after its shape and its id. */
export const RECORD_VALUES_AT = 2;

/** One record of a break's side with its values named: canonical fields (decimals and dates as strings), file and line. */
export type ReportRecord = Record<string, string | number | null>;

/** A record with its values named, as breaks.json, breaks.csv and `breaks show` print it: id first, line a number. */
export function recordObject(r: RecordRow): ReportRecord {
  const o: ReportRecord = { id: r[1] ?? null };
  const cols = RECORD_SHAPES[r[0] === '1' ? 1 : 0];
  for (let i = 0; i < cols.length; i++) {
    const v = r[i + RECORD_VALUES_AT] ?? null;
    o[cols[i]!] = cols[i] === 'line' && v !== null ? Number(v) : v;
  }
  return o;
}

/** A comment on a break up to the register's moment: [at (ISO instant), actor, note]. */
export type BreakComment = readonly [string, string, string | null];

/** A break with its records and its age, as every report format prints it. */
export interface ReportBreak {
  readonly id: string;
  readonly recon: string;
  readonly entity: ReconciledEntity;
  readonly kind: BreakKind;
  readonly status: BreakStatus;
  readonly reason: string | null;
  readonly reasonCode: string | null;
  readonly explainedBy: string | null;
  readonly assignee: string | null;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly ageDays: number;
  /** This run no longer found the break: it cleared it (records of its last sighting). */
  readonly clearedByRun: boolean;
  /**
   * Not found by this run but still open or explained in the register (first seen on or before the
   * run's date): listed so that an unresolved break stays in sight; records of its last sighting.
   */
  readonly carried: boolean;
  /**
   * The three-way view of the sighting shown (reconcile/triangulate.ts): which of Genium, DCASS and
   * BOS disagrees with the other two, or that all three differ; null when the run that found it did
   * not see the record in a reconciliation of each pair of sources (every date but the last Genium day).
   */
  readonly triangulation: Triangulation | null;
  readonly key: Readonly<Record<string, string | null>>;
  readonly fields: readonly BreakFieldDiff[];
  readonly left: readonly RecordRow[];
  readonly right: readonly RecordRow[];
  /** Empty unless the reader was asked for comments. */
  readonly comments: readonly BreakComment[];
}

const TS = (col: string) => textSql('timestamp', col);

// A record's values after its shape and id, as the model prints them: `t` the trade, `p` the
// position, `f` the record's file.
const TRADE_VALUES = `'0', t.id::text, ${recordTextsSql('trades', { record: 't', file: 'f' })}`;
const POSITION_VALUES = `'1', p.id::text, ${recordTextsSql('positions', { record: 'p', file: 'f' })}`;

/**
 * A side's records in the order of its ids, `record` the SQL of one record from `t` (the trade) or `p`
 * (the position) and `f` (its file): a negative id is a trade on a rolled-forward position side (a
 * break's records are positions otherwise when its entity is); an id with no record is left out.
 * Aliases: `c` the break's case (its entity).
 */
const sideRecords = (ids: string, record: string, aggregate: (record: string) => string): string =>
  `(SELECT ${aggregate(record)}
      FROM unnest(${ids}) WITH ORDINALITY AS u(id, ord)
      LEFT JOIN trade t ON (c.entity = 'trades' OR u.id < 0) AND t.id = abs(u.id)
      LEFT JOIN position p ON c.entity <> 'trades' AND u.id > 0 AND p.id = u.id
      LEFT JOIN source_file f ON f.id = coalesce(t.file_id, p.file_id)
      WHERE t.id IS NOT NULL OR p.id IS NOT NULL)`;

/**
 * The JSON array of a side's records as RecordRows. Also read by case-records.ts (`breaks list` and
 * `breaks show`).
 */
export const recordsOf = (ids: string): RawBuilder<unknown> =>
  sql.raw(
    sideRecords(
      ids,
      `array_to_json(CASE WHEN t.id IS NOT NULL THEN ARRAY[${TRADE_VALUES}] ELSE ARRAY[${POSITION_VALUES}] END)`,
      (r) => `coalesce(json_agg(${r} ORDER BY u.ord), '[]'::json)`,
    ),
  );

/**
 * A side as breaks.json prints it: null when it has no record, its record, or (an aggregated or
 * duplicated side) its first record with the others in `others`.
 */
const sideJson = (ids: string): string => {
  const records = sideRecords(
    ids,
    `CASE WHEN t.id IS NOT NULL THEN ${recordJsonSql('trades', { record: 't', file: 'f' })} ELSE ${recordJsonSql('positions', { record: 'p', file: 'f' })} END`,
    (r) => `array_agg(${r} ORDER BY u.ord)`,
  );
  return `coalesce((SELECT CASE WHEN cardinality(a) = 1 THEN a[1]
      ELSE left(a[1], -1) || ',"others":[' || array_to_string(a[2:], ',') || ']}' END
    FROM (SELECT ${records} AS a OFFSET 0) x), 'null')`; // OFFSET 0: the records are read once, not once per use of a
};

type Parsed = [
  [
    id: string,
    recon: string,
    entity: ReportBreak['entity'],
    kind: BreakKind,
    reason: string | null,
    reasonCode: string | null,
    explainedBy: string | null,
    assignee: string | null,
    triangulation: Triangulation | null,
  ],
  Record<string, string | null>,
  BreakFieldDiff[],
  RecordRow[],
  RecordRow[],
  BreakComment[],
];

/**
 * A break as its page query returns it for runBreaks (runBreakTexts): one text, the JSON values of
 * [scalars, key, fields, left, right, comments] joined by commas (the driver then handles one column,
 * and JSON.parse does the rest natively); status and dates come beside it.
 */
function rowsText(asOf: string | null, comments: boolean): BreakTextSql {
  const commentsOf = comments
    ? sql`(SELECT coalesce(json_agg(array_to_json(ARRAY[${sql.raw(TS('e.at'))}, e.actor, e.note]) ORDER BY e.id), '[]'::json)
       FROM break_event e WHERE e.case_id = c.id AND e.action = 'comment' AND e.at <= ${asOf ?? 'infinity'}::timestamptz)::text`
    : sql`'[]'`;
  return {
    text: () => sql`array_to_json(ARRAY[c.id::text, c.recon, c.entity, c.kind, s.reason, s.reason_code,
      s.explained_by, s.assignee, b.triangulation])::text
    || ',' || d.key::text || ',' || d.fields::text || ',' || ${recordsOf('d.left_ids')}::text
    || ',' || ${recordsOf('d.right_ids')}::text || ',' || ${commentsOf}`,
  };
}

/**
 * A break as breaks.json prints it, built by the database in two parts: up to `"ageDays":`, and from
 * its sides on; the writer puts the age between them and ends it with `carried`. `lastSeen` names the
 * state whose last sighting is shown (runBreakTexts).
 */
const JSON_TEXT: BreakTextSql = {
  text: (lastSeen) => sql`'{"id":"' || c.id || '","recon":' || to_json(c.recon)::text
    || ',"kind":"' || c.kind || '","key":' || d.key::text || ',"fields":' || d.fields::text
    || ',"triangulation":' || coalesce(to_json(b.triangulation)::text, 'null')
    || ',"status":"' || s.status || '","reason":' || coalesce(to_json(s.reason)::text, 'null')
    || ',"firstSeen":"' || to_char(c.first_seen_date, 'YYYY-MM-DD')
    || '","lastSeen":"' || to_char(${sql.raw(lastSeen)}.last_seen_date, 'YYYY-MM-DD') || '","ageDays":'`,
  tail: () => sql.raw(`',"left":' || ${sideJson('d.left_ids')} || ',"right":' || ${sideJson('d.right_ids')}`),
};

/** What a report asks the reader for beyond the breaks themselves. */
export interface ReadBreaksOptions {
  /** Each break's comments up to the register's moment (the HTML page shows them). */
  readonly comments?: boolean;
  /** Breaks per page query (tests use small pages to cross page boundaries). */
  readonly pageSize?: number;
}

/**
 * The breaks of a run (runBreakTexts: the run's own, those it cleared, those it carries), each with
 * its register state as of the run's `asOf` (now when null), its records, its age in business days
 * and, when asked, its comments. Run it inside a read-only transaction with jit off on a server
 * (readInTransaction, or the caller's own, as the HTML page's).
 */
export async function* runBreaks(
  readers: Kysely<Database> | readonly Kysely<Database>[],
  run: CarriedScope,
  options: ReadBreaksOptions = {},
): AsyncGenerator<ReportBreak> {
  const db = first(readers);
  // Comments are rare: when the register holds none, no break is asked for its own.
  const comments =
    options.comments === true &&
    (
      await sql<{
        any: boolean;
      }>`SELECT EXISTS (SELECT 1 FROM break_event WHERE action = 'comment') AS any`.execute(db)
    ).rows[0]?.any === true;
  const ageOf = await breakAges(db, run);
  const pages = options.pageSize === undefined ? {} : { pageSize: options.pageSize };
  for await (const row of runBreakTexts(readers, run, rowsText(run.asOf, comments), pages)) {
    const [a, key, fields, left, right, notes] = JSON.parse(`[${row.j}]`) as Parsed;
    yield {
      id: a[0],
      recon: a[1],
      entity: a[2],
      kind: a[3],
      status: row.status,
      reason: a[4],
      reasonCode: a[5],
      explainedBy: a[6],
      assignee: a[7],
      triangulation: a[8],
      firstSeen: row.firstSeen,
      lastSeen: row.lastSeen,
      ageDays: ageOf(row),
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

/** The transaction every reader shares a snapshot with: the one the others' pages are not sent to first. */
function first(readers: Kysely<Database> | readonly Kysely<Database>[]): Kysely<Database> {
  return Array.isArray(readers) ? readers[0]! : (readers as Kysely<Database>);
}

/** The age of a break in business days as every report prints it (break-pages.ts ageEnd). */
async function breakAges(db: Kysely<Database>, run: CarriedScope): Promise<(b: BreakText) => number> {
  const days = await businessDayAges(db);
  return (b) => days(b.firstSeen, ageEnd(b.status, b.lastSeen, run.businessDate));
}

/** A break of breaks.json: its text, and whether it is carried (the file lists those in their own array). */
export interface BreakJsonText {
  readonly json: string;
  readonly carried: boolean;
}

/**
 * The breaks of a run as breaks.json prints them, each one compact JSON text built by the database
 * (runBreakTexts, as runBreaks reads them), its age put in by the same calendar.
 */
async function* runBreakJson(
  readers: Kysely<Database> | readonly Kysely<Database>[],
  run: CarriedScope,
): AsyncGenerator<BreakJsonText> {
  const ageOf = await breakAges(first(readers), run);
  for await (const row of runBreakTexts(readers, run, JSON_TEXT)) {
    yield { json: `${row.j}${ageOf(row)}${row.tail},"carried":${row.carried}}`, carried: row.carried };
  }
}

/** runBreakJson on a store, as reportBreaks reads runBreaks. */
export function reportBreakJson(store: Store, run: CarriedScope): AsyncGenerator<BreakJsonText> {
  return onStore(store, (readers) => runBreakJson(readers, run));
}

/**
 * runBreaks on a store: on a server inside one read-only transaction of its own (one snapshot, jit
 * off), handed over as the caller asks for the breaks.
 */
export function reportBreaks(
  store: Store,
  run: CarriedScope,
  options: ReadBreaksOptions = {},
): AsyncGenerator<ReportBreak> {
  return onStore(store, (readers) => runBreaks(readers, run, options));
}

function onStore<T>(
  store: Store,
  read: (readers: Kysely<Database> | readonly Kysely<Database>[]) => AsyncGenerator<T>,
): AsyncGenerator<T> {
  return store.kind === 'postgres' ? readInTransaction(store, read) : read(store.db);
}
