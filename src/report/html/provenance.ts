import { sql } from 'kysely';
import type { ReportDb } from './history.js';
import type { ReportRun } from '../run-data.js';

/** One input file of a run, with its lineage from source_file. */
export interface InputFile {
  readonly fileId: string;
  readonly source: string;
  readonly file: string;
  readonly profile: string | null;
  readonly reportId: string | null;
  readonly participant: string | null;
  readonly businessDate: string | null;
  readonly generatedAt: string | null;
  readonly loadedAt: string | null;
  readonly sizeBytes: string | null;
  readonly sha256: string;
  readonly rows: number;
  readonly rejected: number;
  /** How the file is known whole (trailer, record-count, marker, stable, unverifiable); null: loaded before it was kept. */
  readonly completeness: string | null;
  /** Reconciliations and sides that read it (`trades-bos:left`). */
  readonly usedBy: readonly string[];
}

/** A row of an input file that could not be read. */
export interface RejectedRow {
  readonly file: string;
  readonly line: number;
  readonly field: string | null;
  readonly code: string;
  readonly reason: string;
  readonly raw: string;
}

/** A file refused whole. */
export interface RefusedFile {
  readonly source: string;
  readonly file: string;
  readonly sha256: string | null;
  readonly code: string;
  readonly reason: string;
  readonly line: number | null;
  readonly refusedAt: string;
}

const ISO = (col: string) => sql.raw(`to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

// Ids travel as one array literal parameter (bigint ids: digits only), read the same by pg and PGlite.
const idArray = (ids: readonly string[]): string => `{${ids.filter((id) => /^\d+$/.test(id)).join(',')}}`;

/** The run's input files as the run recorded them (rows, rejects, sha256), with their lineage. */
export async function inputFiles(store: ReportDb, run: ReportRun): Promise<InputFile[]> {
  const ids = run.inputs.map((i) => i.fileId);
  const rows = await sql<{
    id: string;
    profile: string;
    report_id: string;
    participant: string;
    business_date: string | null;
    generated_at: string | null;
    loaded_at: string;
    size_bytes: string;
    completeness: string | null;
  }>`SELECT f.id::text AS id, f.profile, f.report_id, f.participant,
      to_char(f.business_date, 'YYYY-MM-DD') AS business_date, ${ISO('f.generated_at')} AS generated_at,
      ${ISO('f.loaded_at')} AS loaded_at, f.size_bytes::text AS size_bytes, f.completeness
    FROM source_file f WHERE f.id = ANY(${idArray(ids)}::bigint[])`.execute(store.db);
  const byId = new Map(rows.rows.map((r) => [r.id, r]));
  return run.inputs.map((i) => {
    const f = byId.get(String(i.fileId));
    return {
      fileId: String(i.fileId),
      source: i.source,
      file: i.file,
      profile: f?.profile ?? null,
      reportId: f?.report_id ?? null,
      participant: f?.participant ?? null,
      businessDate: f?.business_date ?? null,
      generatedAt: f?.generated_at ?? null,
      loadedAt: f?.loaded_at ?? null,
      sizeBytes: f?.size_bytes ?? null,
      sha256: i.sha256,
      rows: i.rows,
      rejected: i.rejected,
      completeness: f?.completeness ?? null,
      usedBy: i.usedBy ?? [],
    };
  });
}

/** The rejected rows of the run's input files by file and line, at most `limit`, and how many there are. */
export async function rejectedRows(
  store: ReportDb,
  run: ReportRun,
  limit: number,
): Promise<{ rows: RejectedRow[]; total: number }> {
  const ids = idArray(run.inputs.map((i) => i.fileId));
  const total = await sql<{ n: string }>`SELECT count(*)::text AS n FROM rejected_row
    WHERE file_id = ANY(${ids}::bigint[])`.execute(store.db);
  const rows = await sql<{
    file: string;
    line: number;
    field: string | null;
    code: string;
    reason: string;
    raw: string;
  }>`SELECT f.file_name AS file, r.line_no AS line, r.field, r.code, r.reason, r.raw
    FROM rejected_row r JOIN source_file f ON f.id = r.file_id
    WHERE r.file_id = ANY(${ids}::bigint[])
    ORDER BY f.file_name COLLATE "C", r.line_no, r.id
    LIMIT ${limit}`.execute(store.db);
  return {
    rows: rows.rows.map((r) => ({ ...r, line: Number(r.line) })),
    total: Number(total.rows[0]?.n ?? 0),
  };
}

/**
 * Files refused whole in this database up to the run's end (refusals have no business date of their
 * own, so every one recorded by then is listed), at most `limit`, and how many there are.
 */
export async function refusedFiles(
  store: ReportDb,
  run: ReportRun,
  limit: number,
): Promise<{ rows: RefusedFile[]; total: number }> {
  const until = run.finishedAt ?? run.startedAt;
  const total = await sql<{ n: string }>`SELECT count(*)::text AS n FROM refused_file
    WHERE refused_at <= ${until}::timestamptz`.execute(store.db);
  const rows = await sql<{
    source: string;
    file: string;
    sha256: string | null;
    code: string;
    reason: string;
    line: number | null;
    refused_at: string;
  }>`SELECT source, file_name AS file, sha256, code, reason, line_no AS line, ${ISO('refused_at')} AS refused_at
    FROM refused_file WHERE refused_at <= ${until}::timestamptz
    ORDER BY refused_at, id LIMIT ${limit}`.execute(store.db);
  return {
    rows: rows.rows.map((r) => ({
      source: r.source,
      file: r.file,
      sha256: r.sha256,
      code: r.code,
      reason: r.reason,
      line: r.line === null ? null : Number(r.line),
      refusedAt: r.refused_at,
    })),
    total: Number(total.rows[0]?.n ?? 0),
  };
}
