import type { AppendedAuditEvent } from '../audit/append.js';
import type { ConfirmationConfig } from '../config/config.js';
import type { Store } from '../db/connect.js';
import type { ReportRun } from '../report/run-data.js';
import { auditHeadHash, recordConfirmEvent } from './confirm-audit.js';
import { latestRunOfDate } from './confirm-run.js';
import { buildEvidencePack, type EvidencePack, type PackReportWriter } from './evidence-pack.js';

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
  readonly reportWriters?: readonly PackReportWriter[];
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
 * manifest sha256. Refuses, writing nothing, while the run has open breaks, unless they are accepted
 * with a reason.
 */
export async function confirmBusinessDate(store: Store, options: ConfirmOptions): Promise<ConfirmResult> {
  const run = await latestRunOfDate(store, options.businessDate);
  const head = await auditHeadHash(store);
  const reason = options.acceptOpenReason?.trim() ?? null;
  const pack = await buildEvidencePack(store, {
    outDir: options.outDir,
    runs: [run],
    ruleSetFiles: options.ruleSetFiles,
    confirmation: options.confirmation,
    auditHeadHash: head,
    acceptOpen: reason ? { reason, actor: options.actor } : null,
    preparedBy: options.actor,
    generatedAt: options.now ?? new Date(),
    ...(options.reportWriters ? { reportWriters: options.reportWriters } : {}),
  });
  const auditEvent = await recordConfirmEvent(store, {
    actor: options.actor,
    businessDate: options.businessDate,
    runIds: [run.id],
    pack,
    auditHeadHash: head,
  });
  return { run, pack, auditEvent };
}
