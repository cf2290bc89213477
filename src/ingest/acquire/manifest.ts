import type { Insertable, Kysely } from 'kysely';
import { appendAuditEvent, type AuditEventInput } from '../../audit/append.js';
import type { Database } from '../../db/database.js';
import type { FetchManifestTable } from '../../db/tables/fetch-manifest.table.js';
import { DcassError } from '../../shared/errors.js';

/** A version of a remote file that was fetched before. */
export interface FetchedVersion {
  readonly size: number;
  readonly mtime: Date;
  readonly sha256: string;
  readonly localPath: string;
  readonly generation: number;
}

/** One manifest row to write. */
export type ManifestRecord = Insertable<FetchManifestTable>;

/** The fetch manifest: what was fetched before, and a record of every decision. */
export interface FetchManifest {
  /** Every fetched version of a remote path from one origin, oldest generation first. */
  fetchedVersions(origin: string, remotePath: string): Promise<FetchedVersion[]>;
  record(row: ManifestRecord): Promise<void>;
  /** Appends a fetch run's event to the audit trail (a manifest kept outside the database has none). */
  audit?(event: AuditEventInput): Promise<void>;
}

/** The manifest kept in the `fetch_manifest` table. */
export function databaseManifest(db: Kysely<Database>): FetchManifest {
  return {
    async fetchedVersions(origin, remotePath) {
      const rows = await db
        .selectFrom('fetch_manifest')
        .select(['size_bytes', 'remote_mtime', 'sha256', 'local_path', 'generation'])
        .where('origin', '=', origin)
        .where('remote_path', '=', remotePath)
        .where('outcome', '=', 'fetched')
        .orderBy('generation')
        .orderBy('id')
        .execute()
        .catch((cause: unknown) => {
          throw new DcassError('DB_QUERY_FAILED', 'cannot read the fetch manifest', {
            cause,
            hint: 'run `dcass-recon migrate`',
          });
        });
      return rows.flatMap((r) =>
        r.size_bytes === null ||
        r.remote_mtime === null ||
        r.sha256 === null ||
        r.local_path === null ||
        r.generation === null
          ? []
          : [
              {
                size: Number(r.size_bytes),
                mtime: r.remote_mtime,
                sha256: r.sha256,
                localPath: r.local_path,
                generation: r.generation,
              },
            ],
      );
    },
    async record(row) {
      await db
        .insertInto('fetch_manifest')
        .values(row)
        .execute()
        .catch((cause: unknown) => {
          throw new DcassError('DB_QUERY_FAILED', `cannot record ${row.remote_path} in the fetch manifest`, {
            cause,
          });
        });
    },
    async audit(event) {
      await appendAuditEvent(db, event);
    },
  };
}
