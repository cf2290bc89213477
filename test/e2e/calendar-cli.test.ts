import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestTarget, dbKind } from '../support/db.js';
import { FIXTURES } from '../support/ingest.js';

/** 9 May 2019: a day-session trade and three of the T+1 session that clear on Friday 10 May. */
const BOS_0509 = [
  'Trade Ref,Client Code,Product,Type,Expiry,Strike,Buy/Sell,Quantity,Price,Trade Date,Exec Time,Exch Trade No',
  'BT190509-0001,MM01,HSI,F,2019-05,,BUY,2,"28,600.00",09/05/2019,10:15:00,1000901',
  'BT190509-0002,HOUSE,HSI,F,2019-05,,SELL,1,"28,610.00",09/05/2019,17:30:00,1000902',
  'BT190509-0003,MM01,HSI,F,2019-05,,BUY,3,"28,620.00",09/05/2019,21:45:10,1000903',
  'BT190510-0000,C1003,HSI,F,2019-05,,SELL,1,"28,605.00",10/05/2019,00:40:00,1000904',
];

describe(`dcass-recon calendar on a typhoon morning (${dbKind})`, () => {
  let target: { target: string; drop: () => Promise<void> };
  const work = mkdtempSync(path.join(tmpdir(), 'dcass-calendar-cli-'));
  const inbox = path.join(work, 'bos');
  const cli = (args: string[]) => runCli(['--db', target.target, ...args], { cwd: work });

  beforeAll(async () => {
    target = await createTestTarget();
    mkdirSync(inbox);
    writeFileSync(path.join(inbox, 'BOS_TRADES_CABC_20190509.csv'), BOS_0509.map((l) => `${l}\r\n`).join(''));
    for (const f of ['ACCOUNT_MAP_CABC.csv', 'BOS_TRADES_CABC_20190510.csv']) {
      copyFileSync(path.join(FIXTURES, 'bos', f), path.join(inbox, f));
    }
    const r = await cli(['ingest', '--source', 'bos', inbox]);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await target.drop();
    rmSync(work, { recursive: true, force: true });
  });

  it('close prints the trades moved, the files re-derived and the runs to make again', async () => {
    const r = await cli([
      '--actor',
      'duty.officer',
      'calendar',
      'close',
      '2019-05-10',
      '--reason',
      'typhoon signal 8',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'calendar change 1: 2019-05-10 is now closed (not a trading day)',
      '  it was a trading day with a T+1 evening session',
      '  reason: typhoon signal 8',
      // Hong Kong time with its offset, for the person reading it (--json keeps the ISO instant).
      expect.stringMatching(/^ {2}recorded by duty\.officer at 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d \+08:00$/),
    ]);
    expect(r.stdout).toContain(
      'BOS trades re-derived: 2 files got a new generation (the previous one is kept, superseded)\n' +
        '  BOS_TRADES_CABC_20190509.csv (business date 2019-05-09): file 2 -> generation 4, 4 trade(s), 0 rejected\n' +
        '    3 trade(s) moved from clearing date 2019-05-10 to 2019-05-14\n' +
        '  BOS_TRADES_CABC_20190510.csv (business date 2019-05-10): file 3 -> generation 5, 0 trade(s), 20 rejected\n' +
        '    18 trade(s) of clearing date 2019-05-10 have no clearing date now (NOT_A_TRADING_DAY)\n' +
        '    2 trade(s) of clearing date 2019-05-14 have no clearing date now (NOT_A_TRADING_DAY)\n',
    );
    expect(r.stdout).toContain(
      'Run again (the data of these dates changed; reconciliations reading the moved trades: trades-bos):\n' +
        '  dcass-recon run --date 2019-05-14\n',
    );
    expect(r.stdout).toContain('2019-05-10 is not a trading day now: a run of it is refused.');
  });

  it('list shows the change in force with who and why; the same close again is refused', async () => {
    const list = await cli(['calendar', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(
      /^2019-05-10 +closed +1 +close +duty\.officer +\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+08:00 +typhoon signal 8$/m,
    );
    const again = await cli(['calendar', 'close', '2019-05-10', '--reason', 'typhoon signal 8']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      'error: 2019-05-10 is already closed (not a trading day): nothing to change',
    );
  });

  it('files keeps both generations; rejects names the closed day; run of the closed day is refused', async () => {
    const files = await cli(['--json', 'files', '--date', '2019-05-09']);
    const rows = JSON.parse(files.stdout) as { id: string; superseded_by: string | null }[];
    expect(rows.map((f) => [f.id, f.superseded_by])).toEqual([
      ['2', 'BOS_TRADES_CABC_20190509.csv'],
      ['4', null],
    ]);
    const rejects = await cli(['rejects', '--date', '2019-05-10']);
    expect(rejects.stdout).toContain('20 rejected rows');
    expect(rejects.stdout).toMatch(
      /NOT_A_TRADING_DAY +2019-05-10 is not a trading day \(closed by calendar change 1/,
    );
    const run = await cli(['run', '--date', '2019-05-10']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/2019-05-10 is not a trading day/);
  });

  it('open restores the day and names both dates to run again', async () => {
    const r = await cli(['calendar', 'open', '2019-05-10', '--reason', 'signal lowered at 07:40']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      'calendar change 2: 2019-05-10 is now a trading day with a T+1 evening session',
    );
    expect(r.stdout).toContain('    3 trade(s) moved from clearing date 2019-05-14 to 2019-05-10\n');
    expect(r.stdout).toContain('    18 trade(s) that had no clearing date clear on 2019-05-10 again\n');
    expect(r.stdout).toContain('  dcass-recon run --date 2019-05-10\n  dcass-recon run --date 2019-05-14\n');
    const history = await cli(['--json', 'calendar', 'list', '--history']);
    const changes = (JSON.parse(history.stdout) as { changes: { action: string; trading: boolean }[] })
      .changes;
    expect(changes.map((c) => [c.action, c.trading])).toEqual([
      ['close', false],
      ['open', true],
    ]);
  });
});
