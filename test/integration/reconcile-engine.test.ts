import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBreaks } from '../../src/reconcile/breaks.js';
import { loadRuleSet, type RuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation } from '../../src/reconcile/run.js';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { dateSequence, loadTrades, runTradeScenario, type T } from '../support/synthetic-trades.js';
import { collect } from '../support/collect.js';

const rules = (compare: string, extra = '') =>
  loadRuleSet(
    'engine-test.yaml',
    `name: engine-test
reconciliations:
  t:
    entity: trades
    left: { source: dcass }
    right: { source: bos }
    passes:
      - { name: number, keys: [clearingDate, tradeNo] }
      - { name: content, keys: [account, side, quantity, price] }
    compare:
${compare}
${extra}`,
  );

const EXACT = `      quantity: exact
      price: exact
      account: exact`;

describe(`reconciliation engine semantics (${dbKind})`, () => {
  let t: TestDb;
  const nextDate = dateSequence('2019-06');
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.dispose());

  const scenario = (left: T[], right: T[], ruleSet: RuleSet) =>
    runTradeScenario(t.store, nextDate(), left, right, ruleSet);

  it('a data set against itself has no breaks; every record is matched in pass 1', async () => {
    const rows = [{}, { quantity: '3' }, { side: 'S' as const, price: '28999.5' }];
    const { run, breaks } = await scenario(rows, rows, rules(EXACT));
    expect(breaks).toEqual([]);
    expect(run.counts['t']).toMatchObject({ matched: 3, matchedByPass: { '1': 3 } });
  });

  it('duplicate keys are never silently paired: the extra records become duplicate breaks', async () => {
    const { run, breaks } = await scenario(
      [{ tradeNo: '7' }, { tradeNo: '8' }, { tradeNo: '8' }],
      [{ tradeNo: '7' }, { tradeNo: '7' }, { tradeNo: '8' }, { tradeNo: '8' }],
      rules(EXACT),
    );
    expect(breaks.map((b) => [b.kind, b.key['tradeNo'], b.pass])).toEqual([
      ['duplicate_right', '7', 1],
      ['duplicate_left', '8', 1],
      ['duplicate_right', '8', 1],
    ]);
    expect(run.counts['t']!.matched).toBe(2);
  });

  it('later passes only see what earlier passes left: unnumbered records pair by content in pass 2', async () => {
    const { run, breaks } = await scenario(
      [
        { tradeNo: '1', quantity: '2' },
        { tradeNo: '2', quantity: '5' },
      ],
      [
        { tradeNo: '1', quantity: '2' },
        { tradeNo: null, quantity: '5' },
        { tradeNo: null, quantity: '6' },
      ],
      rules(EXACT),
    );
    expect(run.counts['t']).toMatchObject({ matched: 2, matchedByPass: { '1': 1, '2': 1 } });
    expect(breaks.map((b) => [b.kind, b.key])).toEqual([
      ['only_right', { clearingDate: '2019-06-03', tradeNo: null }],
    ]);
  });

  it('a mismatch lists every differing field in compare order, decimals as strings', async () => {
    const { breaks } = await scenario(
      [{ tradeNo: '1', quantity: '2.50', price: '100', account: 'H01' }],
      [{ tradeNo: '1', quantity: '2.5', price: '100.001', account: 'M01' }],
      rules(EXACT),
    );
    expect(breaks).toHaveLength(1);
    expect(breaks[0]).toMatchObject({ kind: 'mismatch', pass: 1, status: 'open' });
    expect(breaks[0]!.fields).toEqual([
      { field: 'price', left: '100', right: '100.001', comparator: 'exact' },
      { field: 'account', left: 'H01', right: 'M01', comparator: 'exact' },
    ]);
  });

  it('absolute and relative tolerances: within never breaks, beyond always does', async () => {
    const tol = rules(`      price: { comparator: abs, tolerance: "0.01" }
      quantity: { comparator: rel, tolerance: "0.1" }`);
    const { breaks } = await scenario(
      [
        { tradeNo: '1', price: '10.00', quantity: '100' },
        { tradeNo: '2', price: '10.00', quantity: '100' },
        { tradeNo: '3', price: '10.00', quantity: '100' },
      ],
      [
        { tradeNo: '1', price: '10.01', quantity: '110' },
        { tradeNo: '2', price: '10.011', quantity: '100' },
        { tradeNo: '3', price: '9.99', quantity: '111.2' },
      ],
      tol,
    );
    expect(breaks.map((b) => [b.key['tradeNo'], b.fields])).toEqual([
      ['2', [{ field: 'price', left: '10', right: '10.011', comparator: 'abs 0.01' }]],
      ['3', [{ field: 'quantity', left: '100', right: '111.2', comparator: 'rel 0.1' }]],
    ]);
  });

  it('case- and space-insensitive text, and ignore', async () => {
    const { breaks } = await scenario(
      [
        { tradeNo: '1', ref: 'ab 12' },
        { tradeNo: '2', ref: 'X', account: 'H01' },
      ],
      [
        { tradeNo: '1', ref: 'AB12' },
        { tradeNo: '2', ref: 'Y', account: 'h01' },
      ],
      rules(`      ref: { comparator: space-insensitive, caseInsensitive: true }
      account: case-insensitive
      price: ignore`),
    );
    expect(breaks.map((b) => [b.key['tradeNo'], b.fields.map((f) => f.field)])).toEqual([['2', ['ref']]]);
  });

  it('superseded files are not read; filters and explain rules apply', async () => {
    const date = nextDate();
    await loadTrades(t.store, 'dcass', date, [{ tradeNo: '1' }, { tradeNo: '2', tradeType: 'GUP' }]);
    await loadTrades(t.store, 'dcass', date, [{ tradeNo: '9' }], true);
    await loadTrades(t.store, 'bos', date, [{ tradeNo: '1' }, { tradeNo: '3', tradeType: 'TST' }]);
    const filtered = loadRuleSet(
      'f.yaml',
      `name: f
reconciliations:
  t:
    entity: trades
    left: { source: dcass }
    right: { source: bos, filters: { tradeType: { not: TST } } }
    passes: [{ keys: [clearingDate, tradeNo] }]
    explain:
      - { name: give-up, kinds: [only_left], left: { tradeType: GUP }, reason: pending give-up }
`,
    );
    const run = await runReconciliation(t.store, { businessDate: date, ruleSet: filtered, allowNonTradingDay: true });
    const breaks = await collect(listBreaks(t.store, run.runId));
    expect(breaks.map((b) => [b.kind, b.key['tradeNo'], b.status, b.reason])).toEqual([
      ['only_left', '2', 'explained', 'pending give-up'],
    ]);
    expect(run.inputs.map((i) => i.file)).toEqual([`dcass-trades-${date}.csv`, `bos-trades-${date}.csv`]);
    expect(run).toMatchObject({ open: 0, explained: 1 });
  });

  it('refuses an unknown reconciliation or a bad date, naming it', async () => {
    const rs = rules(EXACT);
    await expect(
      runReconciliation(t.store, { businessDate: '2019-02-30', ruleSet: rs }),
    ).rejects.toMatchObject({
      code: 'USAGE',
    });
    await expect(
      runReconciliation(t.store, { businessDate: '2019-06-01', ruleSet: rs, recons: ['nope'] }),
    ).rejects.toThrow(/no reconciliation nope/);
  });

  // PGlite serves one connection, so two runs cannot overlap there; on a server they can.
  it.skipIf(dbKind !== 'postgres')(
    'refuses a second run after waiting for the one in progress, and records no failed run',
    async () => {
      const other = new pg.Client({ connectionString: t.target });
      await other.connect();
      try {
        await other.query('BEGIN');
        await other.query('SELECT pg_advisory_xact_lock(431197467507)');
        await expect(
          runReconciliation(t.store, {
            businessDate: '2019-06-01',
            ruleSet: rules(EXACT),
            allowNonTradingDay: true,
            lockWaitMs: 300,
          }),
        ).rejects.toMatchObject({
          code: 'RUN_BUSY',
          message: expect.stringMatching(/another reconciliation run is in progress/),
        });
        await other.query('ROLLBACK');
      } finally {
        await other.end();
      }
      const failed = await t.store.db
        .selectFrom('recon_run')
        .select(['status', 'error'])
        .where('status', '=', 'failed')
        .execute();
      expect(failed.map((f) => f.error)).not.toContain(
        'another reconciliation run is in progress on this database',
      );
      const run = await runReconciliation(t.store, { businessDate: '2019-06-01', ruleSet: rules(EXACT), allowNonTradingDay: true });
      expect(run.runId).toMatch(/^\d+$/);
    },
  );

  // Server only, as above: the lock holder is a second connection.
  it.skipIf(dbKind !== 'postgres')('waits for a run in progress to end, then runs', async () => {
    const other = new pg.Client({ connectionString: t.target });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock(431197467507)');
      const released = new Promise<void>((resolve, reject) => {
        setTimeout(() => {
          other.query('ROLLBACK').then(() => resolve(), reject);
        }, 800);
      });
      const run = await runReconciliation(t.store, {
        businessDate: '2019-06-01',
        ruleSet: rules(EXACT),
        allowNonTradingDay: true,
        lockWaitMs: 30_000,
      });
      await released;
      expect(run.runId).toMatch(/^\d+$/);
    } finally {
      await other.end();
    }
  });

  // Server only: the killed client's statement runs on at a server; PGlite lives inside its process.
  it.skipIf(dbKind !== 'postgres')(
    'runs after the run holding the lock is killed with SIGKILL mid-statement (the server cancels it)',
    async () => {
      const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/hold-run-lock.ts', t.target], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('locked')) resolve();
        });
        child.on('exit', () => reject(new Error('the lock holder ended before taking the lock')));
      });
      // Let its ten-minute statement start, then kill the client as an operator's kill -9 would.
      await new Promise((resolve) => setTimeout(resolve, 300));
      child.kill('SIGKILL');
      await exited;
      // Without the server noticing the dead client, the lock stays held for ten minutes and this
      // run is refused as busy after its wait.
      const run = await runReconciliation(t.store, {
        businessDate: '2019-06-01',
        ruleSet: rules(EXACT),
        allowNonTradingDay: true,
        lockWaitMs: 20_000,
      });
      expect(run.runId).toMatch(/^\d+$/);
    },
    40_000,
  );
});
