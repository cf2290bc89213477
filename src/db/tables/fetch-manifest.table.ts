import type { Generated } from 'kysely';

/** What a fetch did with each file a source offered: fetched, skipped, refused, failed or deferred (still being written). */
export interface FetchManifestTable {
  id: Generated<string>;
  run_id: string;
  origin: string;
  participant: string;
  business_date: string;
  report_id: string | null;
  remote_path: string;
  file_name: string;
  size_bytes: string | null;
  remote_mtime: Date | null;
  sha256: string | null;
  local_path: string | null;
  generation: number | null;
  outcome: 'fetched' | 'skipped' | 'refused' | 'failed' | 'deferred';
  code: string | null;
  reason: string | null;
  attempts: Generated<number>;
  fetched_at: Generated<Date>;
  /** How a fetched file was seen complete: its marker listed, or stable over the interval (migration 0011). */
  completeness: 'marker' | 'stable' | null;
}
