import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { ENTITY_MODELS, recordDateColumn, storedField } from '../model/entities.js';
import { RECONCILED_ENTITIES, type ReconciledEntity } from '../model/vocabulary.js';
import { fileDataDigest, type DigestVersion, type LoadedEntity } from './data-digest.js';

/** A loaded file whose stored rows, or whose recorded digest, are no longer what the load left. */
export interface ChangedFile {
  readonly fileId: string;
  readonly fileName: string;
  /**
   * `rows`: the rows stored now hash to `found`, not to the digest taken at load (`expected`).
   * `digest`: source_file's digest (`found`) is not the one the load's audit event recorded (`expected`).
   * `counts`: the rows stored now, counted by date (`found`), are not what the load counted (`expected`,
   * file_dated_rows, which runs add up for the records they read), each as `date: rows, ...`.
   * `repeats`: rows repeating an earlier row's value of a sieved column are not among the rows the load
   * listed as possible repeats (file_repeat_candidate, which a run reading the file looks at instead of
   * grouping it whole): `expected` names the column, `found` how many rows are missing, and the first.
   */
  readonly problem: 'rows' | 'digest' | 'counts' | 'repeats';
  readonly expected: string;
  readonly found: string;
}

/** The outcome of checking every loaded file against its digest. */
export interface DataVerification {
  /** True when every file with a digest still matches it. */
  readonly intact: boolean;
  /** Files whose rows were hashed again and compared. */
  readonly checked: number;
  /** Files loaded before digests were kept: nothing to compare them with. */
  readonly unchecked: number;
  readonly changed: readonly ChangedFile[];
}

const PAGE = 500;

type FileRow = {
  id: string;
  file_name: string;
  entity: LoadedEntity;
  data_digest: string | null;
  data_digest_version: DigestVersion | null;
};

/**
 * Recomputes the digest of every loaded file from the rows stored now (fileDataDigest, the function
 * and formula the load used) and names each file whose rows changed since. Where the file's `ingest.loaded` audit
 * event recorded a digest, source_file's digest must equal it too: the chained event is what a
 * rewrite of both the rows and source_file cannot reach. One file at a time, so memory stays flat.
 */
export async function verifyLoadedData(
  db: Kysely<Database>,
  options: { readonly onFile?: (checked: number) => void } = {},
): Promise<DataVerification> {
  let checked = 0;
  let unchecked = 0;
  const changed: ChangedFile[] = [];
  for (let after = '0'; ;) {
    const page = await db
      .selectFrom('source_file')
      .select(['id', 'file_name', 'entity', 'data_digest', 'data_digest_version'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    for (const file of page as FileRow[]) {
      const counts = await datedCounts(db, file);
      if (counts !== null && counts.expected !== counts.found)
        changed.push({ fileId: file.id, fileName: file.file_name, problem: 'counts', ...counts });
      for (const missed of await unlistedRepeats(db, file))
        changed.push({ fileId: file.id, fileName: file.file_name, problem: 'repeats', ...missed });
      if (file.data_digest === null || file.data_digest_version === null) {
        unchecked++;
        continue;
      }
      const base = { fileId: file.id, fileName: file.file_name };
      const recorded = await recordedDigest(db, file);
      if (recorded !== null && recorded !== file.data_digest) {
        changed.push({ ...base, problem: 'digest', expected: recorded, found: file.data_digest });
      }
      const found = await fileDataDigest(db, file.id, file.entity, file.data_digest_version);
      if (found !== (recorded ?? file.data_digest)) {
        changed.push({ ...base, problem: 'rows', expected: recorded ?? file.data_digest, found });
      }
      checked++;
      options.onFile?.(checked);
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.id;
  }
  return { intact: changed.length === 0, checked, unchecked, changed };
}

/**
 * A file of trades or positions: its rows by date as the load counted them and as stored now, each
 * `date: rows` in date order; null for a file of another entity (an account map, counted by no run).
 */
async function datedCounts(
  db: Kysely<Database>,
  file: FileRow,
): Promise<{ expected: string; found: string } | null> {
  if (!(RECONCILED_ENTITIES as readonly string[]).includes(file.entity)) return null;
  const entity = file.entity as ReconciledEntity;
  const table = sql.raw(ENTITY_MODELS[entity].table);
  const date = sql.raw(recordDateColumn(entity));
  const listed = (rows: string) =>
    sql`coalesce((SELECT string_agg(to_char(x.d, 'YYYY-MM-DD') || ': ' || x.n, ', ' ORDER BY x.d) FROM ${sql.raw(rows)} x), '')`;
  const r = await sql<{ expected: string; found: string }>`
    WITH counted AS (SELECT record_date AS d, rows AS n FROM file_dated_rows WHERE file_id = ${file.id}::bigint),
      stored AS (SELECT ${date} AS d, count(*) AS n FROM ${table} WHERE file_id = ${file.id}::bigint GROUP BY ${date})
    SELECT ${listed('counted')} AS expected, ${listed('stored')} AS found`.execute(db);
  return r.rows[0]!;
}

/**
 * Per sieved column the load listed possible repeats of (file_repeat_candidate, ids not null): the rows
 * repeating an earlier row's value (by id) that the list lacks, when any. Extra rows listed only cost a
 * run time; a repeat missing could hide a duplicate from it.
 */
async function unlistedRepeats(
  db: Kysely<Database>,
  file: FileRow,
): Promise<{ expected: string; found: string }[]> {
  const model = ENTITY_MODELS[file.entity];
  const missed: { expected: string; found: string }[] = [];
  for (const name of model.sieved) {
    const column = storedField(file.entity, name).column;
    const c = sql.raw(`t.${column}`);
    const r = await sql<{ n: number; first: string | null }>`
      WITH listed AS (SELECT ids FROM file_repeat_candidate
          WHERE file_id = ${file.id}::bigint AND column_name = ${column} AND ids IS NOT NULL),
        repeats AS (SELECT x.id FROM (SELECT t.id, row_number() OVER (PARTITION BY ${c} ORDER BY t.id) AS rn
            FROM ${sql.raw(model.table)} t WHERE t.file_id = ${file.id}::bigint AND ${c} IS NOT NULL) x
          WHERE x.rn > 1 AND EXISTS (SELECT 1 FROM listed))
      SELECT count(*)::int AS n, min(r.id)::text AS first
      FROM repeats r LEFT JOIN (SELECT unnest(l.ids) AS id FROM listed l) u ON u.id = r.id
      WHERE u.id IS NULL`.execute(db);
    const { n, first } = r.rows[0]!;
    if (n > 0) missed.push({ expected: column, found: `${n} (the first: ${model.table} ${first})` });
  }
  return missed;
}

/** The digest the file's `ingest.loaded` audit event recorded, when it recorded one. */
async function recordedDigest(db: Kysely<Database>, file: FileRow): Promise<string | null> {
  const r = await sql<{ digest: string | null }>`
    SELECT body::jsonb #>> '{details,dataDigest}' AS digest FROM audit_event
    WHERE subject = ${`file:${file.file_name}`} AND action = 'ingest.loaded'
      AND body::jsonb #>> '{details,fileId}' = ${file.id}
    ORDER BY id LIMIT 1`.execute(db);
  return r.rows[0]?.digest ?? null;
}
