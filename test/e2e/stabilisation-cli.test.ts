import { existsSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbKind } from '../support/db.js';
import { fixtureWorkspace } from '../support/fixture-workspace.js';

// A stabilisation week as an operator types it, on the fixtures: a late back-office file, a wrong
// date, a confirmation attempted on a day nothing was compared, and the late file arriving.

describe(`daily re-runs through the stabilisation period (${dbKind})`, () => {
  const ws = fixtureWorkspace('dcass-stabilisation-');
  const { work, cwd, cli } = ws;
  const late = 'BOS_TRADES_CABC_20190507.csv';

  beforeAll(async () => {
    await ws.setUp(() => renameSync(path.join(cwd, 'inputs', 'bos', late), path.join(work, late)));
    const monday = await cli(['run', '--date', '2019-05-06']);
    expect(monday.code, monday.stderr).toBe(1); // B2: a trade missing from the back office
  });
  afterAll(async () => ws.dispose());

  it('expected lists the missing back-office export beside the inputs that arrived; exit 1', async () => {
    const r = await cli(['expected', '--date', '2019-05-07']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/dcass-trades\s+loaded\s+TRD001_CABC_20190507_2310\.csv/);
    expect(r.stdout).toMatch(/bos-trades\s+MISSING\s+-/);
    expect(r.stdout).toMatch(/not complete: bos-trades missing/);
  });

  it('a run without the file says it is missing, runs nothing it feeds, and carries the open 6 May break', async () => {
    const r = await cli(['run', '--date', '2019-05-07']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/trades-bos\s+INCOMPLETE/);
    expect(r.stdout).toContain('trades-bos: no bos-trades file for 2019-05-07 is loaded');
    expect(r.stdout).toContain('1 break of earlier dates still open or explained, not found by this run');
    const out = path.join(work, 'report-0507');
    const report = await cli(['report', '--run', 'latest', '--out', out, '--format', 'json,csv']);
    expect(report.code, report.stderr).toBe(0);
    const json = JSON.parse(readFileSync(path.join(out, 'breaks.json'), 'utf8'));
    expect(
      json.run.missingInputs.map((m: { recon: string; input: string; state: string }) => [
        m.recon,
        m.input,
        m.state,
      ]),
    ).toEqual([['trades-bos', 'bos-trades', 'missing']]);
    expect(json.run.counts['trades-bos'].incomplete).toBe('not run: bos-trades missing');
    expect(json.breaks.filter((b: { recon: string }) => b.recon === 'trades-bos')).toEqual([]);
    expect(
      json.carried.map((b: { key: { tradeNo: string }; firstSeen: string; ageDays: number }) => [
        b.key.tradeNo,
        b.firstSeen,
        b.ageDays,
      ]),
    ).toEqual([['1000115', '2019-05-06', 1]]);
    const csv = readFileSync(path.join(out, 'breaks.csv'), 'utf8').split('\n');
    expect(csv[1]).toContain('missing_input');
  });

  it('a weekend date is refused with the reason; exit 2 and no run recorded', async () => {
    const r = await cli(['run', '--date', '2019-05-04']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not reconciled: 2019-05-04 is not a trading day of the calendar');
    expect(r.stderr).toContain('--allow-non-trading-day');
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('confirm refuses a date on which nothing was compared, whatever --accept-open says', async () => {
    const sunday = await cli(['run', '--date', '2019-05-05', '--allow-non-trading-day']);
    expect(sunday.code, sunday.stderr).toBe(1);
    const out = path.join(work, 'confirm-sunday');
    const r = await cli(['confirm', '--date', '2019-05-05', '--out', out, '--accept-open', 'tired']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nothing was verified for business date 2019-05-05/);
    expect(r.stderr).toMatch(/trades-bos: incomplete \(not run: dcass-trades missing, bos-trades missing\)/);
    expect(existsSync(out)).toBe(false);
  });

  it('confirm refuses while an input is missing; the late file arrives and the date runs whole', async () => {
    const refused = await cli(['confirm', '--date', '2019-05-07', '--out', path.join(work, 'confirm-0507')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/1 expected input is missing for business date 2019-05-07/);
    const pack = path.join(work, 'confirm-0507-accepted');
    const accepted = await cli([
      'confirm',
      '--date',
      '2019-05-07',
      '--out',
      pack,
      '--accept-open',
      'BOS export late, rerun at 11:00',
    ]);
    expect(accepted.code, accepted.stderr).toBe(0);
    // The 6 May break carried open, and the missing export: both accepted with the one reason.
    expect(accepted.stdout).toContain(
      'ACCEPTED 1 open break, 1 missing input: BOS export late, rerun at 11:00',
    );
    const packJson = JSON.parse(readFileSync(path.join(pack, 'pack.json'), 'utf8'));
    expect(packJson.missingInputs.map((m: { input: string }) => m.input)).toEqual(['bos-trades']);
    renameSync(path.join(work, late), path.join(cwd, 'inputs', 'bos', late));
    expect((await cli(['ingest', '--all'])).code).toBe(0);
    const r = await cli(['run', '--date', '2019-05-07']);
    expect(r.code, r.stderr).toBe(1); // B3, B4, B5 (fixtures/README.md)
    expect(r.stdout).not.toContain('INCOMPLETE');
    const list = await cli(['breaks', 'list', '--status', 'open']);
    expect(list.stdout).toMatch(/\|?\s*age\s/);
    expect(list.stdout).toMatch(/trades-bos\s+only_left\s+open\s+2019-05-06\s+2019-05-06\s+1\s/);
  });
});
