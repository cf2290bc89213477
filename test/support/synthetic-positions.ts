import { listBreaks, type Break } from '../../src/reconcile/breaks.js';
import { loadBuiltinRuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation } from '../../src/reconcile/run.js';
import { collect } from './collect.js';
import type { Store } from '../../src/db/connect.js';
import { countDatedRows, HSIK9, insertTestFile, type Instrument } from './synthetic-trades.js';

/** A position with the fields these tests vary; exercised and assigned are absent unless given. */
export interface P {
  account: string;
  instrument?: Instrument;
  long: string;
  short: string;
  exercised?: string;
  assigned?: string;
}

/** Loads a file of positions of a source and date straight into the canonical tables; returns its file id. */
export async function loadPositionRows(store: Store, source: 'dcass' | 'bos', date: string, rows: P[]) {
  const file = await insertTestFile(store, source, 'positions', date, rows.length);
  if (rows.length === 0) return file.id;
  await store.db
    .insertInto('position')
    .values(
      rows.map((p, i) => {
        const instrument = p.instrument ?? HSIK9;
        return {
          file_id: file.id,
          line_no: i + 2,
          source,
          participant: 'CABC',
          position_date: date,
          account: p.account,
          client_code: null,
          series: instrument.series,
          root: instrument.root,
          instrument_type: instrument.instrumentType,
          expiry: instrument.expiry,
          strike: instrument.strike,
          long_qty: p.long,
          short_qty: p.short,
          exercised_qty: p.exercised ?? null,
          assigned_qty: p.assigned ?? null,
          extra: null,
        };
      }),
    )
    .execute();
  await countDatedRows(store, file.id, 'positions');
  return file.id;
}

/** Loads a file of positions (one per account: its net, long when positive, short when negative) of a
 * source and date straight into the canonical tables; returns its file id. */
export async function loadPositions(
  store: Store,
  source: 'dcass' | 'bos',
  date: string,
  nets: Record<string, string>,
) {
  return loadPositionRows(
    store,
    source,
    date,
    Object.entries(nets).map(([account, net]) => ({
      account,
      long: net.startsWith('-') ? '0' : net,
      short: net.startsWith('-') ? net.slice(1) : '0',
    })),
  );
}

/** Loads an account map (DCASS account to NET or GROSS, each its own client code) effective from 2019-01-02. */
export async function loadAccountMap(store: Store, types: Record<string, 'NET' | 'GROSS'>) {
  const file = await insertTestFile(store, 'bos', 'account_map', '2019-01-02', Object.keys(types).length);
  await store.db
    .insertInto('account_map')
    .values(
      Object.entries(types).map(([account, type], i) => ({
        file_id: file.id,
        line_no: i + 2,
        client_code: `C-${account}`,
        dcass_account: account,
        account_type: type,
        effective_from: '2019-01-02',
      })),
    )
    .execute();
}

const defaultRules = loadBuiltinRuleSet();

/** Runs the default rule set's positions-rollforward on a date: its counts and the breaks it leaves (not those it cleared). */
export async function runRollForward(store: Store, date: string) {
  const run = await runReconciliation(store, {
    businessDate: date,
    ruleSet: defaultRules,
    recons: ['positions-rollforward'],
  });
  const breaks = (await collect(listBreaks(store, run.runId))).filter((b) => !b.clearedByRun);
  return { counts: run.counts['positions-rollforward']!, breaks };
}

/** A break as the roll-forward tests compare it: kind, account, status and each difference as `field left/right`. */
export const rollForwardView = (b: Break) => [
  b.kind,
  b.key.account,
  b.status,
  b.fields.map((f) => `${f.field} ${f.left}/${f.right}`),
];

/** Trading days on the upgraded platform in the calendar (an ingest syncs it; these tests load records directly). */
export async function upgradedDays(store: Store, days: readonly string[]): Promise<void> {
  await store.db
    .insertInto('calendar')
    .values(
      days.map((day) => ({
        market: 'HKFE',
        day,
        trading: true,
        after_hours: true,
        platform: 'upgraded' as const,
        note: null,
      })),
    )
    .execute();
}
