import type { ColumnType, Generated } from 'kysely';
import type { Entity, Source } from '../../model/vocabulary.js';

/** Lineage of every loaded file: one row per distinct content (sha256). */
export interface SourceFileTable {
  id: Generated<string>;
  source: Source;
  entity: Entity;
  profile: string;
  report_id: string;
  participant: string;
  business_date: string | null;
  generated_at: Date | null;
  sha256: string;
  size_bytes: string;
  file_name: string;
  path: string;
  row_count: number;
  reject_count: number;
  control: ColumnType<unknown, string | null, string | null> | null;
  loaded_at: Generated<Date>;
  superseded_by: string | null;
  /** A generation derived by a calendar change: the file generation its rows were derived from (migration 0010). */
  derived_from: ColumnType<string | null, string | null | undefined, string | null>;
  /** The calendar change that derived this generation (migration 0010). */
  calendar_change_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** sha256 of the file's stored rows as loaded (fileDataDigest); null for files loaded before it was kept. */
  data_digest: string | null;
  /** The formula data_digest was taken with (DigestVersion; migration 0015): both or neither. */
  data_digest_version: 1 | 2 | 3 | null;
  /**
   * The file's modification time when it was read, to the microsecond (an ISO text when written): with
   * the generation time, what decides which generation is current (migration 0012); null for files
   * loaded before it was kept.
   */
  file_mtime: ColumnType<Date | null, string | null | undefined, string | null>;
  /** How the file is known to be whole (migration 0011); null for files loaded before it was kept. */
  completeness: 'trailer' | 'record-count' | 'marker' | 'stable' | 'unverifiable' | null;
}

/**
 * How many rows a loaded file of trades or positions holds of each date a run reads them for (a
 * trade's clearing date, a position's date; migration 0023): counted by the load, never changed after.
 */
export interface FileDatedRowsTable {
  file_id: string;
  record_date: string;
  rows: ColumnType<string, number | string, never>;
}

/** Per sieved column of a loaded file: the ids of its rows whose value may repeat an earlier row's (null: too many). */
export interface FileRepeatCandidateTable {
  file_id: string;
  column_name: string;
  ids: ColumnType<string[] | null, string | null, never>;
}

/** Files refused whole, with the reason; nothing of them is loaded. */
export interface RefusedFileTable {
  id: Generated<string>;
  source: string;
  profile: string | null;
  file_name: string;
  path: string;
  sha256: string | null;
  size_bytes: string | null;
  code: string;
  reason: string;
  line_no: number | null;
  refused_at: Generated<Date>;
}

/** A row that could not be read, kept with its raw text. */
export interface RejectedRowTable {
  id: Generated<string>;
  file_id: string;
  line_no: number;
  field: string | null;
  code: string;
  reason: string;
  raw: string;
}
