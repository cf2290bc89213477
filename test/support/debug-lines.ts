import { Writable } from 'node:stream';
import type { Store } from '../../src/db/connect.js';
import type { RuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation, type RunOptions, type RunSummary } from '../../src/reconcile/run.js';
import { createLogger } from '../../src/shared/logger.js';
import { loadTrades, type T } from './synthetic-trades.js';

/** A debug logger whose lines are kept, as objects, for a test to look at what a run did. */
export function captureDebugLines(): {
  logger: ReturnType<typeof createLogger>;
  lines: Record<string, unknown>[];
} {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines };
}

/** Loads DCASS and BOS trades of a date, reconciles it under `ruleSet`, and gives the run and its debug lines. */
export async function runLoggedTrades(
  store: Store,
  ruleSet: RuleSet,
  date: string,
  trades: { readonly dcass: readonly T[]; readonly bos: readonly T[] },
  options: Pick<RunOptions, 'mostRepeatedKeys'> = {},
): Promise<{ run: RunSummary; lines: Record<string, unknown>[] }> {
  await loadTrades(store, 'dcass', date, [...trades.dcass]);
  await loadTrades(store, 'bos', date, [...trades.bos]);
  const { logger, lines } = captureDebugLines();
  const run = await runReconciliation(store, {
    businessDate: date,
    ruleSet,
    allowNonTradingDay: true,
    logger,
    ...options,
  });
  return { run, lines };
}
