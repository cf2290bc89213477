import type { AppendedAuditEvent } from '../audit/append.js';
import type { ConfirmationConfig } from '../config/config.js';
import type { Store } from '../db/connect.js';
import type { ReportRun } from '../report/run-data.js';
import type { ClearingHouse } from '../model/vocabulary.js';
import { DcassError } from '../shared/errors.js';
import { auditHeadHash, recordConfirmEvent } from './confirm-audit.js';
import { latestRunOfDate } from './confirm-run.js';
import type { ReportRenderer } from '../report/index.js';
import { buildEvidencePack, type EvidencePack } from './evidence-pack.js';

/** What `confirm` needs beyond the database. */
export interface ConfirmOptions {
  readonly businessDate: string;
  readonly outDir: string;
  readonly confirmation: ConfirmationConfig;
  /** The rule set files the run may have used (the built-in default, or --rules). */
  readonly ruleSetFiles: readonly string[];
  /** Confirm although breaks are open, for this reason; null refuses while any is open. */
  readonly acceptOpenReason: string | null;
  readonly actor: string;
  /** Now; a test fixes it. */
  readonly now?: Date;
  /** The report formats of the pack; every format when absent (a test adds one). */
  readonly renderers?: readonly ReportRenderer[];
  /** Confirm one clearing house only: its breaks, its run, and the form's box; every house when absent. */
  readonly house?: ClearingHouse;
  /** Series root -> clearing house (the configuration's product table); the built-in table when absent. */
  readonly products?: Readonly<Record<string, ClearingHouse>>;
}

/** A written confirmation. */
export interface ConfirmResult {
  readonly run: ReportRun;
  readonly pack: EvidencePack;
  readonly auditEvent: AppendedAuditEvent;
}

/**
 * The Appendix E confirmation of a business date: the latest completed run of the date, its
 * evidence pack (confirmation PDF included), and a `confirm.written` audit event holding the pack's
 * manifest sha256. Refuses, writing nothing:
 * - whatever is accepted, a date on which nothing was verified: every reconciliation skipped or
 *   incomplete, or no record compared on either side of any (a clean result must rest on something);
 * - while an expected input is missing or breaks are open, unless accepted with a reason.
 */
export async function confirmBusinessDate(store: Store, options: ConfirmOptions): Promise<ConfirmResult> {
  const run = await latestRunOfDate(store, options.businessDate, options.house ?? null, options.products);
  const reason = options.acceptOpenReason?.trim() ?? null;
  checkSomethingVerified(run);
  if (run.missingInputs.length > 0 && !reason) throw missingInputsRefusal(run);
  const head = await auditHeadHash(store);
  const pack = await buildEvidencePack(store, {
    outDir: options.outDir,
    runs: [run],
    ruleSetFiles: options.ruleSetFiles,
    // The form states the house it covers: one house confirmed is that house's box, whatever the CP's membership.
    confirmation:
      run.house === null ? options.confirmation : { ...options.confirmation, clearingHouse: run.house.house },
    auditHeadHash: head,
    acceptOpen: reason ? { reason, actor: options.actor } : null,
    preparedBy: options.actor,
    generatedAt: options.now ?? new Date(),
    ...(options.renderers ? { renderers: options.renderers } : {}),
    ...(options.products ? { products: options.products } : {}),
  });
  const auditEvent = await recordConfirmEvent(store, {
    actor: options.actor,
    businessDate: options.businessDate,
    runIds: [run.id],
    pack,
    auditHeadHash: head,
    missingInputs: run.missingInputs.map((m) => `${m.recon}: ${m.input} ${m.state}`),
  });
  return { run, pack, auditEvent };
}

/** Refuses a run that compared nothing: there is nothing for a signature to rest on. */
function checkSomethingVerified(run: ReportRun): void {
  const compared = run.recons.filter((name) => {
    const c = run.counts[name];
    return (
      c !== undefined &&
      c.skipped === null &&
      (c.incomplete ?? null) === null &&
      c.leftRecords + c.rightRecords > 0
    );
  });
  if (compared.length > 0) return;
  const why = run.recons.map((name) => {
    const c = run.counts[name];
    const state = c?.skipped
      ? `skipped (${c.skipped})`
      : c?.incomplete
        ? `incomplete (${c.incomplete})`
        : 'no records on either side';
    return `${name}: ${state}`;
  });
  throw new DcassError(
    'USAGE',
    `nothing was verified for business date ${run.businessDate} (run ${run.id}): no confirmation written\n  ${why.join('\n  ')}`,
    {
      hint: 'check the date (the verification session confirms the last Genium day, e.g. 2019-05-03), load its files and run it again; --accept-open cannot confirm a date on which nothing was compared',
    },
  );
}

/** Refuses while an expected input of the run is missing, as open breaks are refused. */
function missingInputsRefusal(run: ReportRun): DcassError {
  const lines = [...new Set(run.missingInputs.map((m) => `${m.recon}: ${m.detail}`))];
  return new DcassError(
    'USAGE',
    `${lines.length} expected input${lines.length === 1 ? ' is' : 's are'} missing for business date ${run.businessDate} (run ${run.id}); no confirmation written\n  ${lines.join('\n  ')}`,
    {
      hint: 'load the missing files and run the date again, or confirm anyway with --accept-open "reason" (recorded with the missing inputs in the confirmation, the pack and the audit trail)',
    },
  );
}
