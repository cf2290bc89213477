import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { fileDataDigest, type DigestVersion, type LoadedEntity } from './data-digest.js';

/** A loaded file whose stored rows, or whose recorded digest, are no longer what the load left. */
export interface ChangedFile {
  readonly fileId: string;
  readonly fileName: string;
  /**
   * `rows`: the rows stored now hash to `found`, not to the digest taken at load (`expected`).
   * `digest`: source_file's digest (`found`) is not the one the load's audit event recorded (`expected`).
   */
  readonly problem: 'rows' | 'digest';
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

/** The digest the file's `ingest.loaded` audit event recorded, when it recorded one. */
async function recordedDigest(db: Kysely<Database>, file: FileRow): Promise<string | null> {
  const r = await sql<{ digest: string | null }>`
    SELECT body::jsonb #>> '{details,dataDigest}' AS digest FROM audit_event
    WHERE subject = ${`file:${file.file_name}`} AND action = 'ingest.loaded'
      AND body::jsonb #>> '{details,fileId}' = ${file.id}
    ORDER BY id LIMIT 1`.execute(db);
  return r.rows[0]?.digest ?? null;
}
