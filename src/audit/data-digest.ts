import { createHash } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { COPY_ESCAPES, COPY_NULL } from '../db/copy.js';
import type { Database } from '../db/database.js';
import { copyColumns, ENTITY_MODELS, storedFields, type FieldType } from '../model/entities.js';
import type { SourceFileTable } from '../db/tables/source-file.table.js';

/** The entity of a loaded file, which names the table its rows are in. */
export type LoadedEntity = SourceFileTable['entity'];

/**
 * The formula a file's digest was taken with (source_file.data_digest_version). Each stays computable:
 * `audit verify --data` checks a file by the formula of its load.
 * - 1: every stored column as a JSON value (json_build_array); files loaded before migration 0015.
 * - 2: the same columns as one row value (ROW(...)::text), dates as days since 2000-01-01 and
 *   timestamps as epoch seconds, so that no value's text depends on the session (DateStyle, TimeZone).
 *   2.4 times cheaper for the database than 1 (1.27 s against 3.0 s of CPU for 300,000 trades on the
 *   embedded database), whose digest was a third of an embedded load: json_build_array looks up the
 *   output function of every argument on every row, a row value once per statement.
 * - 3: the entity rows' ids, then each entity row as its line of COPY's text format, the very bytes
 *   the load sent (file, line, then the stored fields and unmapped columns in column order; decimals
 *   as stored, dates YYYY-MM-DD, instants in UTC, unmapped columns as jsonb writes them), both in id
 *   order; rejected rows as in 2. The load knows both without reading a row back: it takes its rows'
 *   ids from the table's sequence itself, and the reading thread hashes its lines as it sends them.
 *   The database rendered every row of 2 while the file loaded (2.8 s of a server's CPU for 1,000,000
 *   trades), and its reads of the freshly stored rows visited the rows another file was loading into
 *   the same pages at the same time; `audit verify --data` builds the same ids and lines from the
 *   stored values.
 */
export type DigestVersion = 1 | 2 | 3;

/** The formula loads digest with now. */
export const DATA_DIGEST_VERSION: DigestVersion = 3;

/** The tables a file's load writes. */
type RowTable = 'trade' | 'position' | 'account_map' | 'rejected_row';

/**
 * Every stored column of each table a file's load writes, listed rather than taken as the whole row
 * (`t::text`) so a column added by a later migration does not change the digest of every file loaded
 * before it; in every formula numerics keep their scale and null stays distinct from ''. None of these
 * columns is updated after the load: supersession lives on source_file, a break's state in the register.
 */
const ROW_TEXT: Readonly<Record<DigestVersion, Partial<Record<RowTable, RawBuilder<unknown>>>>> = {
  1: {
    trade: sql`json_build_array(t.id, t.file_id, t.line_no, t.source, t.participant, t.clearing_date, t.session,
      t.series, t.root, t.instrument_type, t.expiry, t.strike, t.trade_no, t.deal_no, t.ref, t.account, t.client_code,
      t.side, t.quantity, t.price, t.trade_type, t.orig_trade_no, t.exec_date, t.exec_at AT TIME ZONE 'UTC',
      t.open_close, t.extra)::text`,
    position: sql`json_build_array(t.id, t.file_id, t.line_no, t.source, t.participant, t.position_date, t.account,
      t.client_code, t.series, t.root, t.instrument_type, t.expiry, t.strike, t.long_qty, t.short_qty,
      t.exercised_qty, t.assigned_qty, t.extra)::text`,
    account_map: sql`json_build_array(t.id, t.file_id, t.line_no, t.client_code, t.dcass_account, t.account_type,
      t.effective_from)::text`,
    rejected_row: sql`json_build_array(t.id, t.file_id, t.line_no, t.field, t.code, t.reason, t.raw)::text`,
  },
  2: {
    trade: sql`ROW(t.id, t.file_id, t.line_no, t.source, t.participant, t.clearing_date - DATE '2000-01-01',
      t.session, t.series, t.root, t.instrument_type, t.expiry, t.strike, t.trade_no, t.deal_no, t.ref, t.account,
      t.client_code, t.side, t.quantity, t.price, t.trade_type, t.orig_trade_no, t.exec_date - DATE '2000-01-01',
      extract(epoch FROM t.exec_at), t.open_close, t.extra)::text`,
    position: sql`ROW(t.id, t.file_id, t.line_no, t.source, t.participant, t.position_date - DATE '2000-01-01',
      t.account, t.client_code, t.series, t.root, t.instrument_type, t.expiry, t.strike, t.long_qty, t.short_qty,
      t.exercised_qty, t.assigned_qty, t.extra)::text`,
    account_map: sql`ROW(t.id, t.file_id, t.line_no, t.client_code, t.dcass_account, t.account_type,
      t.effective_from - DATE '2000-01-01')::text`,
    rejected_row: sql`ROW(t.id, t.file_id, t.line_no, t.field, t.code, t.reason, t.raw)::text`,
  },
  // The entity rows are hashed apart (storedRows, or what the load sent); rejected rows as in 2.
  3: {
    rejected_row: sql`ROW(t.id, t.file_id, t.line_no, t.field, t.code, t.reason, t.raw)::text`,
  },
};

const TABLE_OF: Record<LoadedEntity, RowTable> = {
  trades: 'trade',
  positions: 'position',
  account_map: 'account_map',
};

/** Rows hashed per statement: the database holds one chunk's text (about 3 MB), whatever the file's size. */
const CHUNK_IDS = 10_000;

/** One chunk's line of the digest, or null when the chunk holds none of the file's rows. */
async function chunkLine(
  db: Kysely<Database>,
  version: DigestVersion,
  table: RowTable,
  fileId: string,
  from: bigint,
): Promise<{ n: bigint; line: string } | null> {
  const to = from + BigInt(CHUNK_IDS);
  const text = ROW_TEXT[version][table];
  if (text === undefined) throw new Error(`data digest ${version} hashes ${table} rows otherwise`);
  const chunk = await sql<{ n: string; h: string }>`
    SELECT count(*)::text AS n,
      encode(sha256(convert_to(coalesce(string_agg(r.text, E'\n' ORDER BY r.id), ''), 'UTF8')), 'hex') AS h
    FROM (SELECT t.id, ${text} AS text FROM ${sql.table(table)} t
          WHERE t.file_id = ${fileId}::bigint AND t.id >= ${from.toString()}::bigint
            AND t.id < ${to.toString()}::bigint) r`.execute(db);
  const c = chunk.rows[0]!;
  // A chunk of ids another file's concurrent load took holds none of this file's rows.
  return c.n === '0' ? null : { n: BigInt(c.n), line: `${from} ${c.n} ${c.h}\n` };
}

/** The lowest and highest id of a file's rows in a table, and their count. */
async function idRange(db: Kysely<Database>, table: RowTable, fileId: string) {
  // count(*) beside min and max keeps the planner from answering min/max by walking the primary
  // key from one end, which would read every row of the files loaded before or after this one.
  const range = await sql<{ lo: string | null; hi: string | null; n: string }>`
    SELECT min(t.id)::text AS lo, max(t.id)::text AS hi, count(*)::text AS n
    FROM ${sql.table(table)} t WHERE t.file_id = ${fileId}::bigint`.execute(db);
  return range.rows[0]!;
}

/** The first line hashed: the formula's name, so two formulas never give one digest. */
const digestHead = (version: DigestVersion) => `dcass-recon file rows v${version}\n`;

/**
 * What the load knows of its entity rows for formula 3, taken as it stored them: the ids it gave them
 * (load-file.ts) and the lines the reading thread sent (file-records.ts).
 */
export interface SentRows {
  /** How many. */
  readonly n: number;
  /** sha256 of their ids, each as text and LF-ended, in id order. */
  readonly ids: string;
  /** sha256 of their COPY lines as sent, each LF-ended, in id order. */
  readonly lines: string;
}

/**
 * The digest of one loaded file's stored rows: its entity's rows, then its rejected rows, each table in
 * id order. For formulas 1 and 2 the database hashes each chunk of ids (sha256 of the rows' texts, one
 * per line) and this function folds the chunk hashes with their row counts into one sha256, so
 * neither side ever holds the whole file; formula 3 takes the entity rows' ids and lines whole
 * (storedRows). The load computes it in the file's transaction after its rows are written, given
 * what it knows of the rows it sent (`sent`, formula 3); `audit verify --data` computes it again with
 * this same function from the rows stored: the two agree exactly when the rows are the ones loaded.
 */
export async function fileDataDigest(
  db: Kysely<Database>,
  fileId: string,
  entity: LoadedEntity,
  version: DigestVersion = DATA_DIGEST_VERSION,
  sent?: SentRows,
): Promise<string> {
  const digest = createHash('sha256').update(digestHead(version));
  for (const table of [TABLE_OF[entity], 'rejected_row'] as const) {
    if (version === 3 && table !== 'rejected_row') {
      const rows = sent ?? (await storedRows(db, entity, fileId));
      digest.update(`${table} ${rows.n}\nids ${rows.ids}\nlines ${rows.lines}\n`);
      continue;
    }
    const { lo, hi, n } = await idRange(db, table, fileId);
    digest.update(`${table} ${n}\n`);
    if (lo === null || hi === null) continue;
    for (let from = BigInt(lo); from <= BigInt(hi); from += BigInt(CHUNK_IDS)) {
      const c = await chunkLine(db, version, table, fileId, from);
      if (c !== null) digest.update(c.line);
    }
  }
  return digest.digest('hex');
}

/**
 * Formula 3's account of a file's entity rows built from the rows stored: their ids and their lines as
 * COPY's text format writes them, in id order, so a value or id that changed since changes it.
 */
async function storedRows(db: Kysely<Database>, entity: LoadedEntity, fileId: string): Promise<SentRows> {
  const table = TABLE_OF[entity];
  const ids = createHash('sha256');
  const lines = createHash('sha256');
  const { lo, hi, n } = await idRange(db, table, fileId);
  if (lo !== null && hi !== null) {
    const line = copyLineSql(entity);
    for (let from = BigInt(lo); from <= BigInt(hi); from += BigInt(CHUNK_IDS)) {
      const chunk = await sql<{ ids: string | null; lines: string | null }>`
        SELECT string_agg(t.id::text || E'\n', '' ORDER BY t.id) AS ids,
          string_agg(${line} || E'\n', '' ORDER BY t.id) AS lines
        FROM ${sql.table(table)} t
        WHERE t.file_id = ${fileId}::bigint AND t.id >= ${from.toString()}::bigint
          AND t.id < ${(from + BigInt(CHUNK_IDS)).toString()}::bigint`.execute(db);
      const c = chunk.rows[0];
      if (c?.ids) ids.update(c.ids, 'utf8');
      if (c?.lines) lines.update(c.lines, 'utf8');
    }
  }
  return { n: Number(n), ids: ids.digest('hex'), lines: lines.digest('hex') };
}

/**
 * SQL giving a stored row (alias `t`) as the load wrote it for COPY: each column's value in its
 * written form, escaped as COPY's text format escapes (see db/copy.ts), null as \N, tab-separated.
 * The forms are written out rather than taken from the session's output settings (DateStyle,
 * TimeZone), so the text never depends on them.
 */
function copyLineSql(entity: LoadedEntity): RawBuilder<string> {
  const typed: [string, FieldType | 'integer' | 'json'][] = [
    ['file_id', 'integer'],
    ['line_no', 'integer'],
    ...storedFields(entity).map((f): [string, FieldType] => [f.column, f.type]),
    ...(ENTITY_MODELS[entity].extra ? [['extra', 'json'] as [string, 'json']] : []),
  ];
  if (typed.map(([c]) => c).join() !== copyColumns(entity).join())
    throw new Error(`data digest: the ${entity} columns are not the load's`);
  const values = typed.map(([column, type]) => {
    const c = sql.ref(`t.${column}`);
    const text =
      type === 'text' || type === 'json'
        ? copyEscaped(sql`${c}::text`)
        : type === 'date'
          ? sql`to_char(${c}, 'YYYY-MM-DD')`
          : type === 'timestamp'
            ? sql`regexp_replace(to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), E'\\\\.?0+$', '') || '+00'`
            : sql`${c}::text`;
    return sql`coalesce(${text}, ${COPY_NULL}::text)`;
  });
  return sql<string>`concat_ws(E'\t', ${sql.join(values)})`;
}

/** COPY's text-format escapes of a text value (COPY_ESCAPES), the backslash's first. */
function copyEscaped(value: RawBuilder<unknown>): RawBuilder<string> {
  let out = value;
  for (const [code, written] of COPY_ESCAPES) out = sql`replace(${out}, chr(${sql.lit(code)}), ${written}::text)`;
  return sql<string>`${out}`;
}
