import { sql } from 'kysely';
import { appendAuditEvent } from '../audit/append.js';
import type { Store, StoreTransaction } from '../db/connect.js';
import type { MissingInput } from '../db/tables/recon.table.js';
import { totalCounts, type ReconCounts } from './run-counts.js';
import type { RunInput } from './run-inputs.js';
import type { RuleSet } from './rule-set.js';
import type { ClearingHouse } from '../model/vocabulary.js';

/** What names a run in recon_run and on the audit trail, whatever its outcome. */
export interface RunIdentity {
  readonly businessDate: string;
  readonly ruleSet: RuleSet;
  /** The clearing house the run covers; null: every house. */
  readonly house: ClearingHouse | null;
  readonly recons: readonly string[];
  readonly actor: string;
}

/** The outcome of a completed run, as stored on its recon_run row. */
export interface RunOutcome {
  readonly inputs: readonly RunInput[];
  readonly counts: Readonly<Record<string, ReconCounts>>;
  readonly missingInputs: readonly MissingInput[];
}

/** Records the run as running, in its transaction; its id and when it started (the database's clock). */
export async function startRun(
  tx: StoreTransaction,
  run: RunIdentity,
): Promise<{ runId: string; startedAt: Date }> {
  const { id, started_at } = await tx.db
    .insertInto('recon_run')
    .values({
      business_date: run.businessDate,
      rule_set_name: run.ruleSet.name,
      rule_set_sha256: run.ruleSet.sha256,
      rule_set_text: run.ruleSet.text,
      recons: [...run.recons],
      house: run.house,
      inputs: '[]',
      counts: '{}',
      status: 'running',
      started_at: sql<Date>`clock_timestamp()`,
    })
    .returning(['id', 'started_at'])
    .executeTakeFirstOrThrow();
  return { runId: id, startedAt: new Date(started_at) };
}

/** Records the run as completed with its outcome, and its `run.completed` audit event; when it finished. */
export async function completeRun(
  tx: StoreTransaction,
  runId: string,
  run: RunIdentity,
  outcome: RunOutcome,
): Promise<Date> {
  // The database's clock, as on the register's events: "as of" questions compare the two.
  const { finished_at: finishedAt } = await tx.db
    .updateTable('recon_run')
    .set({
      status: 'completed',
      inputs: JSON.stringify(outcome.inputs),
      counts: JSON.stringify(outcome.counts),
      missing_inputs: JSON.stringify(outcome.missingInputs),
      finished_at: sql<Date>`clock_timestamp()`,
    })
    .where('id', '=', runId)
    .returning('finished_at')
    .executeTakeFirstOrThrow();
  await appendAuditEvent(tx.db, {
    actor: run.actor,
    action: 'run.completed',
    subject: `run:${runId}`,
    details: {
      businessDate: run.businessDate,
      ruleSet: { name: run.ruleSet.name, sha256: run.ruleSet.sha256 },
      ...(run.house === null ? {} : { house: run.house }),
      recons: [...run.recons],
      inputs: outcome.inputs.map((i) => ({ file: i.file, sha256: i.sha256 })),
      missingInputs: outcome.missingInputs.map((m) => ({ recon: m.recon, input: m.input, state: m.state })),
      ...totalCounts(outcome.counts),
    },
  });
  return new Date(finishedAt!);
}

/** A failed run is recorded (its transaction rolled back) so the history shows the attempt. */
export async function recordFailure(
  store: Store,
  run: RunIdentity,
  startedAt: Date,
  err: unknown,
): Promise<void> {
  try {
    await store.transaction(async (tx) => {
      const { id } = await tx.db
        .insertInto('recon_run')
        .values({
          business_date: run.businessDate,
          rule_set_name: run.ruleSet.name,
          rule_set_sha256: run.ruleSet.sha256,
          recons: [...run.recons],
          house: run.house,
          inputs: '[]',
          counts: '{}',
          status: 'failed',
          error: err instanceof Error ? err.message : String(err),
          started_at: startedAt,
          finished_at: new Date(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await appendAuditEvent(tx.db, {
        actor: run.actor,
        action: 'run.failed',
        subject: `run:${id}`,
        details: {
          businessDate: run.businessDate,
          error: err instanceof Error ? err.message : String(err),
        },
      });
    });
  } catch {
    // The database itself is failing; the original error says more than this one would.
  }
}
