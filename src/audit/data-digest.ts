import { createHash } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../db/database.js';
import type { SourceFileTable } from '../db/tables/source-file.table.js';

/** The entity of a loaded file, which names the table its rows are in. */
export type LoadedEntity = SourceFileTable['entity'];

/**
 * Every stored column of each table a file's load writes, each as a JSON value that does not depend on
 * the session: numerics keep their scale, dates are ISO, a timestamptz is written in UTC (its text
 * would follow the session's time zone), null stays distinct from ''. Listed rather than taken as the
 * whole row (`t::text`) so a column added by a later migration does not change the digest of every
 * file loaded before it. None of these columns is updated after the load: supersession lives on
 * source_file, a break's state in the register.
 */
const ROW_TEXT = {
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
} as const satisfies Record<string, RawBuilder<unknown>>;

type RowTable = keyof typeof ROW_TEXT;

const TABLE_OF: Record<LoadedEntity, RowTable> = {
  trades: 'trade',
  positions: 'position',
  account_map: 'account_map',
};

/** Rows hashed per statement: the database holds one chunk's text (about 3 MB), whatever the file's size. */
const CHUNK_IDS = 10_000;

/**
 * The digest of one loaded file's stored rows: its entity's rows, then its rejected rows, each table in
 * id order. The database hashes each chunk of ids (sha256 of the rows' JSON texts, one per line) and
 * this function folds the chunk hashes with their row counts into one sha256, so neither side ever
 * holds the whole file. The load computes it in the file's transaction after its rows are written;
 * `audit verify --data` computes it again with this same function: the two agree exactly when the
 * rows are the ones loaded.
 */
export async function fileDataDigest(
  db: Kysely<Database>,
  fileId: string,
  entity: LoadedEntity,
): Promise<string> {
  const digest = createHash('sha256').update('dcass-recon file rows v1\n');
  for (const table of [TABLE_OF[entity], 'rejected_row'] as const) {
    // count(*) beside min and max keeps the planner from answering min/max by walking the primary
    // key from one end, which would read every row of the files loaded before or after this one.
    const range = await sql<{ lo: string | null; hi: string | null; n: string }>`
      SELECT min(t.id)::text AS lo, max(t.id)::text AS hi, count(*)::text AS n
      FROM ${sql.table(table)} t WHERE t.file_id = ${fileId}::bigint`.execute(db);
    const { lo, hi, n } = range.rows[0]!;
    digest.update(`${table} ${n}\n`);
    if (lo === null || hi === null) continue;
    for (let from = BigInt(lo); from <= BigInt(hi); from += BigInt(CHUNK_IDS)) {
      const chunk = await sql<{ n: string; h: string }>`
        SELECT count(*)::text AS n,
          encode(sha256(convert_to(coalesce(string_agg(r.text, E'\n' ORDER BY r.id), ''), 'UTF8')), 'hex') AS h
        FROM (SELECT t.id, ${ROW_TEXT[table]} AS text FROM ${sql.table(table)} t
              WHERE t.file_id = ${fileId}::bigint AND t.id >= ${from.toString()}::bigint
                AND t.id < ${(from + BigInt(CHUNK_IDS)).toString()}::bigint) r`.execute(db);
      const c = chunk.rows[0]!;
      // A chunk of ids another file's concurrent load took holds none of this file's rows.
      if (c.n !== '0') digest.update(`${from} ${c.n} ${c.h}\n`);
    }
  }
  return digest.digest('hex');
}
