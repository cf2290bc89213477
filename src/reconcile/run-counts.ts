import { sql } from 'kysely';
import type { StoreTransaction } from '../db/connect.js';
import { countsQuery } from './compile.js';
import { BREAK_KINDS, type BreakKind, type BreakStatus } from '../model/vocabulary.js';
import type { Reconciliation } from './rule-set.js';

/** Counts of one reconciliation of a run. */
export interface ReconCounts {
  /** Why the reconciliation did not run on this date (its `runOn` excludes it); null when it ran. */
  readonly skipped: string | null;
  /**
   * Why it could not run although the date is one of its dates: an expected input is missing (named
   * in the run's missingInputs). Null when it ran. An incomplete reconciliation finds and clears nothing.
   */
  readonly incomplete: string | null;
  readonly leftRecords: number;
  readonly rightRecords: number;
  readonly matched: number;
  readonly matchedByPass: Readonly<Record<string, number>>;
  readonly breaks: Readonly<Record<BreakKind, number>>;
  /** The run's breaks by status in the register after the run (a person's decision carries over). */
  readonly open: number;
  readonly explained: number;
  readonly resolved: number;
  /** Breaks of earlier runs this run no longer found. */
  readonly cleared: number;
}

/** The counts of a reconciliation that did not run (skipped or incomplete set by the caller). */
export const EMPTY_COUNTS: ReconCounts = {
  skipped: null,
  incomplete: null,
  leftRecords: 0,
  rightRecords: 0,
  matched: 0,
  matchedByPass: {},
  breaks: { only_left: 0, only_right: 0, mismatch: 0, duplicate_left: 0, duplicate_right: 0 },
  open: 0,
  explained: 0,
  resolved: 0,
  cleared: 0,
};

/** The run's breaks by status, summed over its reconciliations. */
export function totalCounts(counts: Readonly<Record<string, ReconCounts>>): Record<BreakStatus, number> {
  const total = (k: BreakStatus) => Object.values(counts).reduce((n, c) => n + c[k], 0);
  return {
    open: total('open'),
    explained: total('explained'),
    resolved: total('resolved'),
    cleared: total('cleared'),
  };
}

/**
 * The counts of a reconciliation just run, read from the run's working tables and the register;
 * `records`: how many records each side read (its inputs' records).
 */
export async function reconCounts(
  tx: StoreTransaction,
  runId: string,
  recon: Reconciliation,
  records: { readonly left: number; readonly right: number },
): Promise<ReconCounts> {
  const c = (await countsQuery().execute(tx.db)).rows[0]!;
  // The run's breaks (rx_break, stored when the run completes) by kind and by their cases' status.
  const rows = (
    await sql<{
      kind: BreakKind;
      status: BreakStatus;
      n: string;
    }>`SELECT b.kind, c.status, count(*)::text AS n
      FROM rx_break b JOIN break_case c ON c.id = b.case_id
      WHERE b.recon = ${recon.name}::text GROUP BY b.kind, c.status`.execute(tx.db)
  ).rows;
  const breaks = Object.fromEntries(BREAK_KINDS.map((k) => [k, 0])) as Record<BreakKind, number>;
  const byStatus = { open: 0, explained: 0, resolved: 0, cleared: 0 };
  for (const r of rows) {
    breaks[r.kind] += Number(r.n);
    byStatus[r.status] += Number(r.n);
  }
  const cleared = await sql<{
    n: string;
  }>`SELECT count(*)::text AS n FROM break_event e JOIN break_case c ON c.id = e.case_id
    WHERE e.run_id = ${runId}::bigint AND e.action = 'cleared' AND c.recon = ${recon.name}::text`.execute(
    tx.db,
  );
  return {
    skipped: null,
    incomplete: null,
    leftRecords: records.left,
    rightRecords: records.right,
    matched: Number(c.matched),
    matchedByPass: c.matched_by_pass ?? {},
    breaks,
    open: byStatus.open,
    explained: byStatus.explained,
    resolved: byStatus.resolved,
    cleared: Number(cleared.rows[0]?.n ?? 0),
  };
}
