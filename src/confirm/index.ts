/** The Appendix E confirmation and the evidence pack behind it. */
export { confirmBusinessDate, type ConfirmOptions, type ConfirmResult } from './confirm.js';
export {
  renderConfirmationPdf,
  writeConfirmationPdf,
  type ConfirmationPdfInput,
  type ConfirmationRunRef,
  acceptedWhat,
  type AcceptedOpenBreaks,
} from './confirmation-pdf.js';
export {
  buildEvidencePack,
  verifyEvidencePack,
  EVIDENCE_PACK_FORMAT,
  MANIFEST_FILE,
  SHA256SUMS_FILE,
  type EvidencePackOptions,
  type EvidencePack,
  type EvidencePackCheck,
  type ManifestEntry,
} from './evidence-pack.js';
export { confirmationDeadline, type Deadline } from './deadline.js';
export { openBreaksOfRun, type OpenBreaks } from './open-breaks.js';
export { latestRunOfDate } from './confirm-run.js';
export { auditHeadHash } from './confirm-audit.js';
