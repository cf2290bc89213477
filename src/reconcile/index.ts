/** The reconciliation engine: rule sets, runs, breaks. */
export { listBreaks, type Break } from './breaks.js';
export { COMPARATORS, type Comparator } from './comparators/index.js';
export { ENTITY_DEFS, fieldNames, type Entity, type FieldType } from './fields.js';
export {
  BREAK_KINDS,
  loadBuiltinRuleSet,
  loadRuleSet,
  type BreakKind,
  type Reconciliation,
  type RuleSet,
} from './rule-set.js';
export {
  runReconciliation,
  type ReconCounts,
  type RunInput,
  type RunOptions,
  type RunSummary,
} from './run.js';
