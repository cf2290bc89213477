import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { dbKind } from '../support/db.js';
import { fixtureWorkspace } from '../support/fixture-workspace.js';

interface BreaksJson {
  run: {
    id: string;
    businessDate: string;
    ruleSet: { name: string; sha256: string };
    inputs: {
      source: string;
      file: string;
      sha256: string;
      rows: number;
      rejected: number;
      completeness: string | null;
    }[];
    startedAt: string;
    finishedAt: string;
    missingInputs: unknown[];
  };
  summary: { matched: number; breaks: Record<string, number>; byKind: Record<string, number> };
  breaks: {
    id: string;
    recon: string;
    kind: string;
    key: Record<string, string | null>;
    fields: { field: string; left: string | null; right: string | null; comparator: string }[];
    status: string;
    reason: string | null;
    firstSeen: string;
    lastSeen: string;
    ageDays: number;
    left: Record<string, unknown> | null;
    right: Record<string, unknown> | null;
    carried: boolean;
    triangulation: string | null;
  }[];
  carried: BreaksJson['breaks'];
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe(`dcass-recon run and report on the fixtures (${dbKind})`, () => {
  const ws = fixtureWorkspace('dcass-run-');
  const { work, cli } = ws;

  beforeAll(async () => {
    await ws.setUp();
  });
  afterAll(async () => ws.dispose());

  it('run --date 2019-05-03 exits 1 with B1 (positions-seam mismatch on long) open', async () => {
    const r = await cli(['run', '--date', '2019-05-03']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/positions-seam\s+12\s+12\s+11\s+0\s+0\s+1\s+0\s+0\s+1\s+0/);
    expect(r.stdout).toContain('1 open, 0 explained');
    // All three sources hold 3 May: Genium says 131, DCASS and BOS 130.
    expect(r.stdout).toContain('three-way (Genium, DCASS, BOS): 1 break with Genium the odd one out');
    // The run's time for people: Hong Kong time with its offset, never a UTC instant.
    expect(r.stdout).toMatch(/finished \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+08:00/);
    expect(r.stdout).not.toMatch(/\d{2}:\d{2}:\d{2}(\.\d+)?Z/);
  });

  it('run --date 2019-05-10 --json exits 1: B7 duplicate_right open, B6 pending give-up explained', async () => {
    const r = await cli(['--json', 'run', '--date', '2019-05-10']);
    expect(r.code, r.stderr).toBe(1);
    const s = JSON.parse(r.stdout) as {
      open: number;
      explained: number;
      triangulation: Record<string, number> | null;
      counts: Record<string, { skipped: string | null; breaks: Record<string, number> }>;
    };
    // trades-bos: B7 open, B6 explained; positions-rollforward: a flat position (explained). B6's give-up is
    // PENDING in its report, so the roll-forward leaves it out and H01 MHIK9 rolls forward to what DCASS says.
    expect(s.open).toBe(1);
    expect(s.explained).toBe(2);
    expect(s.counts['trades-bos']!.breaks).toMatchObject({ only_left: 1, duplicate_right: 1, mismatch: 0 });
    expect(s.counts['positions-rollforward']!.breaks).toMatchObject({ only_left: 1, mismatch: 0 });
    expect(s.counts['positions-seam']!.skipped).toMatch(/genium/);
    // No Genium on an upgraded date: no three-way view.
    expect(s.triangulation).toBeNull();
  });

  it('report --run latest writes breaks.json in the machine-readable report shape and a breaks.csv', async () => {
    const out = path.join(work, 'out');
    const r = await cli(['report', '--run', 'latest', '--out', out, '--format', 'json,csv']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(path.join(out, 'breaks.json'), 'utf8')) as BreaksJson;
    expect(Object.keys(json)).toEqual(['run', 'summary', 'breaks', 'carried']);
    expect(Object.keys(json.run)).toEqual([
      'id',
      'businessDate',
      'ruleSet',
      'inputs',
      'startedAt',
      'finishedAt',
      'counts',
      'missingInputs',
    ]);
    expect(json.run.missingInputs).toEqual([]);
    expect(json.run.businessDate).toBe('2019-05-10');
    expect(json.run.ruleSet.name).toBe('default');
    expect(json.run.ruleSet.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(json.run.startedAt).toMatch(ISO_INSTANT);
    expect(json.run.finishedAt).toMatch(ISO_INSTANT);
    expect(json.run.inputs.map((i) => i.file)).toContain('BOS_TRADES_CABC_20190510.csv');
    for (const i of json.run.inputs) {
      expect(Object.keys(i)).toEqual(['source', 'file', 'sha256', 'rows', 'rejected', 'completeness']);
      // How the file was known whole: a BOS CSV export has no trailer or count.
      expect(['trailer', 'record-count', 'marker', 'stable', 'unverifiable']).toContain(i.completeness);
    }
    expect(json.run.inputs.find((i) => i.file === 'BOS_TRADES_CABC_20190510.csv')?.completeness).toBe(
      'unverifiable',
    );
    expect(json.summary.breaks).toEqual({ open: 1, explained: 2, resolved: 0, cleared: 0 });
    expect(json.summary.byKind).toMatchObject({ only_left: 2, duplicate_right: 1, mismatch: 0 });
    expect(json.summary.matched).toBeGreaterThan(0);
    expect(json.breaks).toHaveLength(3);
    for (const b of json.breaks) {
      expect(Object.keys(b)).toEqual([
        'id',
        'recon',
        'kind',
        'key',
        'fields',
        'triangulation',
        'status',
        'reason',
        'firstSeen',
        'lastSeen',
        'ageDays',
        'left',
        'right',
        'carried',
      ]);
      expect(b.carried).toBe(false);
      // 10 May is an upgraded date: no Genium, so no three-way view.
      expect(b.triangulation).toBeNull();
      expect(b.firstSeen).toBe('2019-05-10');
      expect(b.lastSeen).toBe('2019-05-10');
      expect(b.ageDays).toBe(0);
    }
    // B6: the DCASS give-up, explained by rule, with its file and line.
    const b6 = json.breaks.find((b) => b.kind === 'only_left' && b.recon === 'trades-bos')!;
    expect(b6.status).toBe('explained');
    expect(b6.reason).toMatch(/give-up/);
    expect(b6.right).toBeNull();
    expect(b6.left).toMatchObject({ file: 'TRD001_CABC_20190510_2310.csv', line: 7, tradeType: 'PGU' });
    // B7: the repeated BOS row; decimals are strings.
    const b7 = json.breaks.find((b) => b.kind === 'duplicate_right')!;
    expect(b7.status).toBe('open');
    expect(b7.right).toMatchObject({ file: 'BOS_TRADES_CABC_20190510.csv', quantity: '4', price: '28450' });
    expect(b7.right!.execAt).toMatch(ISO_INSTANT);

    // B1 (3 May, positions-seam), never closed, stays in sight: carried, aged 6 to 10 May in business days.
    expect(json.carried).toHaveLength(1);
    expect(json.carried[0]).toMatchObject({
      recon: 'positions-seam',
      kind: 'mismatch',
      status: 'open',
      firstSeen: '2019-05-03',
      lastSeen: '2019-05-03',
      ageDays: 5,
      carried: true,
      // Of its last sighting, 3 May: Genium 131 where DCASS and BOS hold 130.
      triangulation: 'odd-genium',
      left: { file: 'POS001_CABC_20190503.lis', line: 9 },
    });

    const all = parse(readFileSync(path.join(out, 'breaks.csv'), 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    expect(all.map((x) => x.carried)).toEqual(['no', 'no', 'no', 'yes']);
    expect(all[3]).toMatchObject({ recon: 'positions-seam', first_seen: '2019-05-03', age_days: '5' });
    const rows = all.filter((x) => x.carried === 'no');
    expect(rows).toHaveLength(3);
    expect(rows.map((x) => `${x.recon} ${x.kind}`).sort()).toEqual([
      'positions-rollforward only_left',
      'trades-bos duplicate_right',
      'trades-bos only_left',
    ]);
    // B6, the pending give-up: identified by account, instrument, quantity, price and trade number; its
    // execution time in Hong Kong time with the offset (breaks.json holds the instant in UTC).
    expect(rows.find((x) => x.kind === 'only_left' && x.recon === 'trades-bos')).toMatchObject({
      recon: 'trades-bos',
      status: 'explained',
      account: 'H01',
      instrument: 'MHI F 2019-05',
      series: 'MHIK9',
      side: 'S',
      left_qty: '2',
      right_qty: '',
      left_price: '28570',
      trade_no: '1001236',
      exec_time: '2019-05-10 10:50:03 +08:00',
      left_at: 'TRD001_CABC_20190510_2310.csv:7',
      right_at: '',
    });
    expect(json.breaks.find((b) => b.kind === 'only_left' && b.recon === 'trades-bos')!.left).toMatchObject({
      execAt: '2019-05-10T02:50:03.000Z',
    });
    // B7, a BOS trade booked twice: keyed by its reference.
    expect(rows.find((x) => x.kind === 'duplicate_right')).toMatchObject({
      key: 'ref=BT190510-0017',
      ref: 'BT190510-0017',
      right_qty: '4',
      right_at: 'BOS_TRADES_CABC_20190510.csv:21',
    });
    // The rolled-forward position the trades closed out: explained as flat, no position row on the right.
    expect(rows.find((x) => x.recon === 'positions-rollforward')).toMatchObject({
      kind: 'only_left',
      status: 'explained',
      account: 'M01',
      instrument: 'HSI F 2019-06',
      left_qty: 'long 4 / short 4',
      right_qty: '',
      left_price: '',
      right_at: '',
    });
  });

  it('the report is in the audit trail with the sha256 of each file written', async () => {
    const file = path.join(work, 'audit.jsonl');
    const r = await cli(['audit', 'export', '--out', file]);
    expect(r.code, r.stderr).toBe(0);
    const events = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as { action?: string; details?: { files?: { file: string; sha256: string }[] } },
      );
    const written = events.filter((e) => e.action === 'report.written');
    expect(written).toHaveLength(1);
    const json = written[0]!.details!.files!.find((f) => f.file === 'breaks.json')!;
    expect(json.sha256).toBe(
      createHash('sha256')
        .update(readFileSync(path.join(work, 'out', 'breaks.json')))
        .digest('hex'),
    );
  });

  it('report of the 3 May run shows B1 with its field difference, then exits 2 for an unknown run', async () => {
    const runs = await cli(['--json', 'run', '--date', '2019-05-03', '--recon', 'positions-seam']);
    expect(runs.code).toBe(1);
    const { runId } = JSON.parse(runs.stdout) as { runId: string };
    const out = path.join(work, 'out-b1');
    const r = await cli(['report', '--run', runId, '--out', out, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(path.join(out, 'breaks.json'), 'utf8')) as BreaksJson;
    expect(json.breaks).toHaveLength(1);
    const b1 = json.breaks[0]!;
    expect(b1).toMatchObject({
      recon: 'positions-seam',
      kind: 'mismatch',
      status: 'open',
      firstSeen: '2019-05-03',
    });
    expect(b1.fields).toEqual([{ field: 'long', left: '131', right: '130', comparator: 'exact' }]);
    expect(b1.left).toMatchObject({ file: 'POS001_CABC_20190503.lis', line: 9, long: '131' });
    expect(b1.right).toMatchObject({ file: 'POS001_CABC_20190503_0830.xml', line: 10, long: '130' });

    const missing = await cli(['report', '--run', '999999', '--out', out]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no completed run 999999');
    const badFormat = await cli(['report', '--run', 'latest', '--out', out, '--format', 'xlsx']);
    expect(badFormat.code).toBe(2);
  });
});
