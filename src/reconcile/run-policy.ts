import { sql } from 'kysely';
import type { ExpectedInput } from '../config/expected-inputs.js';
import type { StoreTransaction } from '../db/connect.js';
import type { MissingInput } from '../db/tables/recon.table.js';
import { DcassError } from '../shared/errors.js';
import { rollForwardBase } from './compile.js';
import { missingForSide, type CalendarDay, type ExpectedStatus } from './expected-inputs.js';
import type { Reconciliation, RuleSet } from './rule-set.js';

/** The reconciliations of a rule set to run: all, or those named, in the rule set's order. */
export function selectRecons(ruleSet: RuleSet, names: readonly string[] | undefined): Reconciliation[] {
  if (names === undefined || names.length === 0) return [...ruleSet.reconciliations];
  const known = new Set(ruleSet.reconciliations.map((r) => r.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new DcassError('USAGE', `rule set ${ruleSet.name} has no reconciliation ${unknown.join(', ')}`, {
      location: { file: ruleSet.file },
      hint: `choose from ${[...known].join(', ')}`,
    });
  }
  return ruleSet.reconciliations.filter((r) => names.includes(r.name));
}

/** Refuses a date that is not a trading day of the calendar, unless asked to run it anyway. */
export function checkTradingDay(date: string, day: CalendarDay, allow: boolean): void {
  if (allow || (day.known && day.trading)) return;
  const what = day.known
    ? `${date} is not a trading day of the calendar (a weekend, a holiday or a closed day)`
    : `the trading calendar has no ${date} (no file has been loaded yet, or the calendar does not cover that year)`;
  throw new DcassError('USAGE', `not reconciled: ${what}`, {
    hint: day.known
      ? 'check the date; to reconcile it anyway give --allow-non-trading-day'
      : "load the date's files first (dcass-recon ingest), or give --allow-non-trading-day",
  });
}

/** What the date offers: its calendar day and the state of each expected input. */
export interface DateInputs {
  readonly date: string;
  readonly day: CalendarDay;
  readonly expected: readonly ExpectedInput[];
  readonly statuses: readonly ExpectedStatus[];
}

/** What each side of a reconciliation reads: its source and entities (a rolled-forward side reads trades). */
export async function reconMissing(
  tx: StoreTransaction,
  recon: Reconciliation,
  { date, day, expected, statuses }: DateInputs,
): Promise<MissingInput[]> {
  const out: MissingInput[] = [];
  for (const side of ['left', 'right'] as const) {
    const spec = recon[side];
    const source = spec.source;
    // The run resolves exchange sides for its date (onDate) before it asks what they need.
    if (source === 'exchange')
      throw new Error(`reconcile: ${recon.name} ${side}: exchange side not resolved`);
    const entities = spec.rollForward ? (['trades'] as const) : ([recon.entity] as const);
    const need = { recon: recon.name, side, source, entities };
    out.push(...(await missingForSide(tx.db, need, date, expected, statuses, day)));
  }
  return out;
}

/** Why a reconciliation did not run: the inputs missing and their state. */
export function incompleteReason(missing: readonly MissingInput[]): string {
  return `not run: ${missing.map((m) => `${m.input} ${m.state}`).join(', ')}`;
}

/** Null when the reconciliation applies to the date by its `runOn` and the calendar; else why not. */
export async function skipReason(
  tx: StoreTransaction,
  recon: Reconciliation,
  date: string,
): Promise<string | null> {
  for (const side of ['left', 'right'] as const) {
    if (!recon[side].rollForward) continue;
    const base = await sql<{ day: string | null }>`SELECT to_char(${rollForwardBase(recon[side].source, {
      businessDate: date,
    })}, 'YYYY-MM-DD') AS day`.execute(tx.db);
    if (base.rows[0]?.day == null) {
      return `no ${recon[side].source} positions before ${date} are loaded to roll forward from`;
    }
  }
  const { platform, nextPlatform } = recon.runOn;
  if (platform === undefined && nextPlatform === undefined) return null;
  const row = (
    await sql<{ platform: string | null; next_platform: string | null }>`
      SELECT c.platform, (SELECT n.platform FROM calendar n WHERE n.market = c.market AND n.day > c.day AND n.trading
                          ORDER BY n.day LIMIT 1) AS next_platform
      FROM calendar c WHERE c.day = ${date}::date ORDER BY c.market LIMIT 1`.execute(tx.db)
  ).rows[0];
  if (row === undefined) return `the trading calendar has no ${date}, so its platform is unknown`;
  if (platform !== undefined && row.platform !== platform) {
    return `runs on ${platform} business dates; ${date} is ${row.platform ?? 'on neither platform'}`;
  }
  if (nextPlatform !== undefined && row.next_platform !== nextPlatform) {
    return `runs when the next trading day is on the ${nextPlatform} platform; after ${date} it is ${row.next_platform ?? 'unknown'}`;
  }
  return null;
}
