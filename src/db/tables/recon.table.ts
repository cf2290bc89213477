import type { ColumnType, Generated } from 'kysely';
import type {
  BreakKind,
  BreakStatus,
  ClearingHouse,
  ReconciledEntity,
  Side,
} from '../../model/vocabulary.js';

// For the report files that still import it from here, until they read the model.
export type { BreakStatus } from '../../model/vocabulary.js';

/** jsonb: pg and PGlite hand back parsed JSON; insert it as a JSON string. */
type Json<T> = ColumnType<T, string, string>;

/** One reconciliation run of a business date under one rule set. */
export interface ReconRunTable {
  id: Generated<string>;
  business_date: string;
  rule_set_name: string;
  rule_set_sha256: string;
  /** The rule set file's text as the run read it (migration 0004). */
  rule_set_text: string | null;
  recons: string[];
  inputs: Json<unknown[]>;
  counts: Json<Record<string, unknown>>;
  /** Expected inputs the run found missing, with the reconciliation each kept from running (migration 0007). */
  missing_inputs: ColumnType<MissingInput[], string | undefined, string>;
  status: 'running' | 'completed' | 'failed';
  /** The clearing house the run covered; null: every house (migration 0018). */
  house: ColumnType<ClearingHouse | null, ClearingHouse | null | undefined, ClearingHouse | null>;
  error: string | null;
  started_at: Date;
  finished_at: Date | null;
}

/**
 * An expected input a run did not have: the reconciliation (and side) it kept from running, and why.
 * Stored in recon_run.missing_inputs and shown by every report as `run.missingInputs`.
 */
export interface MissingInput {
  readonly recon: string;
  readonly side: Side;
  /** The configured expectation's name, e.g. `bos-trades`. */
  readonly input: string;
  readonly source: string;
  readonly entity: string;
  /** The business date the input was expected for. */
  readonly businessDate: string;
  /** `missing`: no file of the input is loaded for the date; `refused`: its file arrived and was refused whole. */
  readonly state: 'missing' | 'refused';
  /** One line for people: what is missing and what to do. */
  readonly detail: string;
}

/**
 * A clean pairing of one pass: the record ids of each side (several when the side is aggregated).
 * A view since migration 0013, read-only: a run refers to its reconciliation's match set (run_match),
 * whose pairs are stored once per distinct set: pairs of one record each in blocks (match_block,
 * migration 0014), the others one per match_pair row.
 */
export interface ReconMatchTable {
  run_id: string;
  recon: string;
  pass: number;
  left_ids: string[];
  right_ids: string[];
}

/**
 * One field that differs in a mismatch; decimals and dates as strings. A duplicate break of a
 * `repeats: pair` pass lists one entry too: how many records with the pass's key each side holds
 * (REPEAT_COUNT_FIELD).
 */
export interface BreakFieldDiff {
  readonly field: string;
  readonly left: string | null;
  readonly right: string | null;
  readonly comparator: string;
}

/**
 * A break of a run; fingerprint (recon, kind, key, occurrence) carries it across runs. A view since
 * migration 0013, read-only: a run's sighting of a case (break_sighting) with what it found, stored
 * once per distinct finding of the case (break_detail), its status, reason and rule those of the
 * run's register event; breaks of runs before the register are in recon_break_legacy.
 */
export interface ReconBreakTable {
  id: Generated<string>;
  run_id: string;
  recon: string;
  entity: ReconciledEntity;
  kind: BreakKind;
  pass: number | null;
  key: Json<Record<string, string | null>>;
  fields: Json<BreakFieldDiff[]>;
  left_ids: string[];
  right_ids: string[];
  fingerprint: string;
  status: BreakStatus;
  reason: string | null;
  explained_by: string | null;
  first_seen_run: string;
  first_seen_date: string;
  /** The break across runs (migration 0004); null only for breaks of runs before the register. */
  case_id: string | null;
  /** Place in the run's stable order, numbered when the run completes. */
  seq: number | null;
  /** sha256 of the break's records as compared (migration 0007); null for breaks of older runs. */
  content: string | null;
}

/** A break across runs: the id people act on; its current state mirrors its latest break_event. */
export interface BreakCaseTable {
  id: Generated<string>;
  recon: string;
  fingerprint: string;
  entity: ReconciledEntity;
  kind: BreakKind;
  key: Json<Record<string, string | null>>;
  first_seen_run: string;
  first_seen_date: string;
  last_seen_run: string;
  last_seen_date: string;
  status: BreakStatus;
  reason: string | null;
  reason_code: string | null;
  explained_by: string | null;
  assignee: string | null;
}

export type BreakAction =
  'detected' | 'seen' | 'reappeared' | 'cleared' | 'comment' | 'assign' | 'explain' | 'resolve' | 'reopen';

/** One change to a case, append-only, holding the case's whole state after it. */
export interface BreakEventTable {
  id: Generated<string>;
  case_id: string;
  run_id: string | null;
  at: Generated<Date>;
  actor: string;
  action: BreakAction;
  note: string | null;
  status: BreakStatus;
  reason: string | null;
  reason_code: string | null;
  explained_by: string | null;
  assignee: string | null;
  last_seen_run: string;
  last_seen_date: string;
  /**
   * The operating-system user and host of the connection that wrote the event (migration 0008): set
   * by the column defaults from the session, never by a caller; null before that migration.
   */
  os_user: ColumnType<string | null, never, never>;
  os_host: ColumnType<string | null, never, never>;
}
