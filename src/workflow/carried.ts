import type { Store } from '../db/connect.js';
import type { RunSummary } from '../reconcile/index.js';
import { carriedCount } from '../report/index.js';

/** Breaks of earlier dates still open or explained that a run did not find (its reports carry them). */
export function carriedByRun(store: Store, s: RunSummary): Promise<number> {
  return carriedCount(store, {
    id: s.runId,
    businessDate: s.businessDate,
    finishedAt: s.finishedAt.toISOString(),
    asOf: null,
  });
}
