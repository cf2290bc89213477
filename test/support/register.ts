import { loadRuleSet, type RuleSet } from '../../src/reconcile/rule-set.js';
import type { Store } from '../../src/db/connect.js';

/**
 * The register tests' rule set: `t`, DCASS against BOS trades by clearing date and trade number
 * (quantity compared), and, unless `tradesOnly`, `p`, DCASS against BOS positions by account and
 * instrument (long and short compared). `filter` is added to both trade sides, e.g.
 * `, filters: { account: [H02] }` for a narrower copy.
 */
export function registerRules(
  options: { name?: string; tradesOnly?: boolean; filter?: string } = {},
): RuleSet {
  const name = options.name ?? 'register';
  const filter = options.filter ?? '';
  const positions = `
  p:
    entity: positions
    left: { source: dcass }
    right: { source: bos }
    passes: [{ keys: [account, instrument] }]
    compare: { long: exact, short: exact }
`;
  return loadRuleSet(
    `${name}.yaml`,
    `name: ${name}
reconciliations:
  t:
    entity: trades
    left: { source: dcass${filter} }
    right: { source: bos${filter} }
    passes: [{ keys: [clearingDate, tradeNo] }]
    compare: { quantity: exact }
${options.tradesOnly ? '' : positions}`,
  );
}

/** The id of the file loaded last. */
export async function latestFileId(store: Store): Promise<string> {
  const r = await store.db
    .selectFrom('source_file')
    .select('id')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  return r.id;
}

/** Replaces every loaded file of a source, entity and date by a new one (a corrected generation). */
export async function supersede(
  store: Store,
  source: 'dcass' | 'bos',
  entity: 'trades' | 'positions',
  date: string,
  byFile: string,
): Promise<void> {
  await store.db
    .updateTable('source_file')
    .set({ superseded_by: byFile })
    .where('source', '=', source)
    .where('entity', '=', entity)
    .where('business_date', '=', date)
    .where('id', '<>', byFile)
    .where('superseded_by', 'is', null)
    .execute();
}
