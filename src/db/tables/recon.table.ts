import type { ColumnType, Generated } from 'kysely';

/** jsonb: pg and PGlite hand back parsed JSON; insert it as a JSON string. */
type Json<T> = ColumnType<T, string, string>;

/** One reconciliation run of a business date under one rule set. */
export interface ReconRunTable {
  id: Generated<string>;
  business_date: string;
  rule_set_name: string;
  rule_set_sha256: string;
  recons: string[];
  inputs: Json<unknown[]>;
  counts: Json<Record<string, unknown>>;
  status: 'running' | 'completed' | 'failed';
  error: string | null;
  started_at: Date;
  finished_at: Date | null;
}

/** A clean pairing of one pass: the record ids of each side (several when the side is aggregated). */
export interface ReconMatchTable {
  run_id: string;
  recon: string;
  pass: number;
  left_ids: string[];
  right_ids: string[];
}

/** One field that differs in a mismatch; decimals and dates as strings. */
export interface BreakFieldDiff {
  readonly field: string;
  readonly left: string | null;
  readonly right: string | null;
  readonly comparator: string;
}

/** A break of a run; fingerprint (recon, kind, key, occurrence) carries it across runs. */
export interface ReconBreakTable {
  id: Generated<string>;
  run_id: string;
  recon: string;
  entity: 'trades' | 'positions';
  kind: 'only_left' | 'only_right' | 'mismatch' | 'duplicate_left' | 'duplicate_right';
  pass: number | null;
  key: Json<Record<string, string | null>>;
  fields: Json<BreakFieldDiff[]>;
  left_ids: string[];
  right_ids: string[];
  fingerprint: string;
  status: 'open' | 'explained' | 'resolved' | 'cleared';
  reason: string | null;
  explained_by: string | null;
  first_seen_run: string;
  first_seen_date: string;
}
