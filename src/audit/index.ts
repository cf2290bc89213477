/** The audit trail: append-only, hash-chained events; verification and export. */
export { appendAuditEvent, type AuditEventInput, type AppendedAuditEvent } from './append.js';
export { verifyAuditChain, type AuditVerification, type VerifyAuditOptions } from './verify.js';
export { exportAuditChain, AUDIT_EXPORT_FORMAT, type AuditExport } from './export.js';
export { resolveActor, actorSchema, samePerson, normaliseActor, type ActorSources } from './actor.js';
export { osIdentity, type OsIdentity } from '../shared/os-identity.js';
export {
  GENESIS_HASH,
  eventBody,
  chainHash,
  type AuditEvent,
  type AuditDetails,
  type AuditValue,
  type BrokenLink,
  type BrokenLinkProblem,
} from './chain.js';
export type { AuditEventTable, AuditTables } from './audit-event.table.js';
