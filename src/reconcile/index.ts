/** The reconciliation engine: rule sets, runs, breaks. */
export {
  applyBreakAction,
  BREAK_ACTIONS,
  type BreakActionRequest,
  type BreakActionResult,
  type BreakPolicy,
  type PersonAction,
} from './break-actions.js';
export { listBreaks, type Break, type ListBreaksOptions } from './breaks.js';
export {
  breakHistory,
  readRegister,
  type BreakComment,
  type BreakHistory,
  type BreakHistoryEvent,
  type RegisterEntry,
  type RegisterQuery,
} from './register.js';
export type { Comparator } from './comparators/index.js';
export { expectedInputStatus, type ExpectedFile, type ExpectedStatus } from './expected-inputs.js';
export { ENTITY_DEFS, fieldNames } from './fields.js';
export type { FieldType } from '../model/entities.js';
export {
  loadBuiltinRuleSet,
  loadRuleSet,
  type Reconciliation,
  type RuleSet,
} from './rule-set.js';
export { type ReconCounts } from './run-counts.js';
export { type RunInput } from './run-inputs.js';
export { runReconciliation, type RunOptions, type RunSummary } from './run.js';
