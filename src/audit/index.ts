/** The audit trail: append-only, hash-chained events; verification and export. */
export { appendAuditEvent, type AuditEventInput, type AppendedAuditEvent } from './append.js';
export { verifyAuditChain, type AuditVerification, type VerifyAuditOptions } from './verify.js';
export { exportAuditChain, AUDIT_EXPORT_FORMAT, type AuditExport } from './export.js';
export { resolveActor, type ActorSources } from './actor.js';
export type { AuditDetails, AuditValue, BrokenLink } from './chain.js';
