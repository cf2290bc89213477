import { appendAuditEvent, type AppendedAuditEvent } from '../audit/append.js';
import { auditHead } from '../audit/read.js';
import type { Store } from '../db/connect.js';
import type { EvidencePack } from './evidence-pack.js';

/** The audit chain's head hash (the last event's), or null while the chain is empty. */
export async function auditHeadHash(store: Store): Promise<string | null> {
  return (await auditHead(store.db)).head?.hash ?? null;
}

/** What a confirmation records in the audit trail. */
export interface ConfirmAuditFacts {
  readonly actor: string;
  readonly businessDate: string;
  readonly runIds: readonly string[];
  readonly pack: EvidencePack;
  /** The head the pack printed: the event appended here is the one after it. */
  readonly auditHeadHash: string | null;
  /** Expected inputs the confirmed run lacked (accepted with the reason), as `recon: input state`. */
  readonly missingInputs: readonly string[];
}

/**
 * Records `confirm.written`: the date, runs, the pack's manifest sha256 (which stands for every file
 * of the pack) and, when open breaks or missing inputs were accepted, how many, which and why.
 */
export function recordConfirmEvent(store: Store, facts: ConfirmAuditFacts): Promise<AppendedAuditEvent> {
  return appendAuditEvent(store.db, {
    actor: facts.actor,
    action: 'confirm.written',
    subject: `run:${facts.runIds.join(',')}`,
    details: {
      businessDate: facts.businessDate,
      runs: [...facts.runIds],
      manifestSha256: facts.pack.manifestSha256,
      pdfSha256: facts.pack.files.find((f) => f.path === 'confirmation.pdf')?.sha256 ?? null,
      packDir: facts.pack.dir,
      auditHeadHash: facts.auditHeadHash,
      openBreaks: facts.pack.openBreaks,
      acceptedOpenReason: facts.pack.acceptedOpen?.reason ?? null,
      missingInputs: [...facts.missingInputs],
    },
  });
}
