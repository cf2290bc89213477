import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmBusinessDate } from '../../src/confirm/confirm.js';
import { openBreaksOfRun } from '../../src/confirm/open-breaks.js';
import { loadRuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation, type RunOptions, type RunSummary } from '../../src/reconcile/run.js';
import { writeBreaksCsv } from '../../src/report/breaks-csv.js';
import { writeBreaksJson } from '../../src/report/breaks-json.js';
import { houseFilter } from '../../src/reconcile/house-filter.js';
import { writeBreaksHtml } from '../../src/report/html/write-html.js';
import { BUILTIN_PRODUCTS } from '../../src/config/products.js';
import { readPdfText, testConfirmation } from '../support/confirmation.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { loadTrades } from '../support/synthetic-trades.js';

// Reports and the confirmation per clearing house. HSI is HKCC's, TCH SEOCH's (built-in product
// table); XYZ is in no table. 6 May: trade 2 (TCH) missing in BOS, trade 3 (HSI) 5 against 4.

const dir = mkdtempSync(path.join(tmpdir(), 'dcass-house-reports-'));
const rulesFile = path.join(dir, 'houses.yaml');
writeFileSync(
  rulesFile,
  `name: houses
reconciliations:
  t:
    entity: trades
    left: { source: dcass }
    right: { source: bos }
    passes: [{ keys: [clearingDate, tradeNo] }]
    compare: { quantity: exact }
`,
);
const ruleSet = loadRuleSet(rulesFile);

interface BreaksJson {
  run: { house?: string };
  summary: { breaks: Record<string, number>; carried: number };
  breaks: { key: { tradeNo: string } }[];
  carried: { key: { tradeNo: string } }[];
}

describe(`reports and the confirmation per clearing house (${dbKind})`, () => {
  let t: TestDb;
  let all: RunSummary;
  let unknown: RunSummary;
  let n = 0;
  const run = (date: string, options: Partial<RunOptions> = {}) =>
    runReconciliation(t.store, { businessDate: date, ruleSet, actor: 'ops', ...options });
  const json = async (runId: string, options: Parameters<typeof writeBreaksJson>[3] = {}) => {
    const file = path.join(dir, `breaks-${++n}.json`);
    await writeBreaksJson(t.store, runId, file, options);
    const j = JSON.parse(readFileSync(file, 'utf8')) as BreaksJson;
    return {
      house: j.run.house,
      open: j.summary.breaks.open,
      breaks: j.breaks.map((b) => b.key.tradeNo),
      carried: j.carried.map((b) => b.key.tradeNo),
    };
  };

  beforeAll(async () => {
    t = await createTestDb();
    await loadTrades(t.store, 'dcass', '2019-05-06', [
      { tradeNo: '1' },
      { tradeNo: '2', root: 'TCH' },
      { tradeNo: '3', quantity: '5' },
    ]);
    await loadTrades(t.store, 'bos', '2019-05-06', [{ tradeNo: '1' }, { tradeNo: '3', quantity: '4' }]);
    all = await run('2019-05-06');
    expect(all.counts.t!.open).toBe(2);
  });
  afterAll(async () => t.dispose());

  it("breaks.json of an unscoped run: every house by default, one house's breaks when asked, which it states", async () => {
    expect(await json(all.runId)).toEqual({ house: undefined, open: 2, breaks: ['2', '3'], carried: [] });
    expect(await json(all.runId, { house: 'SEOCH' })).toEqual({
      house: 'SEOCH',
      open: 1,
      breaks: ['2'],
      carried: [],
    });
    expect(await json(all.runId, { house: 'HKCC' })).toEqual({
      house: 'HKCC',
      open: 1,
      breaks: ['3'],
      carried: [],
    });
    // The product table is the configuration's: with TCH moved to HKCC, SEOCH has nothing.
    const moved = { ...BUILTIN_PRODUCTS, TCH: 'HKCC' } as const;
    expect(await json(all.runId, { house: 'SEOCH', products: moved })).toMatchObject({ open: 0, breaks: [] });
  });

  it('breaks.csv and breaks.html keep one house too; the page names the house', async () => {
    const csv = path.join(dir, 'hkcc.csv');
    const written = await writeBreaksCsv(t.store, all.runId, csv, { house: 'HKCC' });
    expect(written.breaks).toBe(1);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows).toHaveLength(2);
    expect(rows[1]).toContain('HSIK9');
    expect(rows[1]).not.toContain('TCHK9');
    const html = path.join(dir, 'seoch.html');
    const page = await writeBreaksHtml(t.store, all.runId, html, { house: 'SEOCH' });
    expect([page.breaks, page.carried]).toEqual([1, 0]);
    const text = readFileSync(html, 'utf8');
    expect(text).toContain('<dt>Clearing house</dt><dd><strong>SEOCH</strong> only');
    expect(text).toContain('TCHK9');
    expect(text).not.toContain('HSIK9');
    const unscoped = readFileSync(
      (await writeBreaksHtml(t.store, all.runId, path.join(dir, 'all.html'))).path,
      'utf8',
    );
    expect(unscoped).not.toContain('<dt>Clearing house</dt>');
  });

  it("a report of a house-scoped run covers the run's house by default; carried breaks are the house's only", async () => {
    // 7 May: everything agrees; a break of an unknown product (XYZ) is found by the unscoped run.
    await loadTrades(t.store, 'dcass', '2019-05-07', [{ tradeNo: '5' }, { tradeNo: '6', root: 'TCH' }]);
    await loadTrades(t.store, 'bos', '2019-05-07', [{ tradeNo: '5' }, { tradeNo: '6', root: 'TCH' }]);
    const seoch = await run('2019-05-07', { house: 'SEOCH' });
    expect(seoch.open).toBe(0);
    expect(await json(seoch.runId)).toEqual({ house: 'SEOCH', open: 0, breaks: [], carried: ['2'] });
    // Asked for the other house, the same run's report carries that house's break instead.
    expect(await json(seoch.runId, { house: 'HKCC' })).toEqual({
      house: 'HKCC',
      open: 0,
      breaks: [],
      carried: ['3'],
    });
  });

  it('a break of a product the table does not know shows in every house: a narrower report never hides it', async () => {
    await loadTrades(t.store, 'dcass', '2019-05-08', [{ tradeNo: '7', root: 'XYZ' }]);
    await loadTrades(t.store, 'bos', '2019-05-08', []);
    unknown = await run('2019-05-08');
    expect((await json(unknown.runId, { house: 'HKCC' })).breaks).toEqual(['7']);
    expect((await json(unknown.runId, { house: 'SEOCH' })).breaks).toEqual(['7']);
  });

  it('open breaks for the confirmation are counted per house', async () => {
    // 8 May: trades 2 (SEOCH) and 3 (HKCC) of 6 May still open, and 7 of a product in no table.
    expect((await openBreaksOfRun(t.store, unknown.runId)).total).toBe(3);
    expect(await openBreaksOfRun(t.store, unknown.runId, houseFilter('SEOCH', BUILTIN_PRODUCTS))).toEqual({
      total: 2,
      byRecon: { t: 2 },
    });
    expect((await openBreaksOfRun(t.store, unknown.runId, houseFilter('HKCC', BUILTIN_PRODUCTS))).total).toBe(
      2,
    );
    expect((await openBreaksOfRun(t.store, all.runId, houseFilter('HKCC', BUILTIN_PRODUCTS))).total).toBe(1);
  });

  it('the confirmation of one house rests on a run covering it, counts its breaks only, and its form says the house', async () => {
    const confirm = (date: string, house: 'HKCC' | 'SEOCH' | undefined, out: string, accept: string | null) =>
      confirmBusinessDate(t.store, {
        businessDate: date,
        outDir: path.join(dir, out),
        confirmation: testConfirmation(['Lee Ka Yan']),
        ruleSetFiles: [rulesFile],
        acceptOpenReason: accept,
        actor: 'ops',
        now: new Date('2019-05-07T10:00:00Z'),
        ...(house === undefined ? {} : { house }),
      });
    // The latest run of 7 May covered SEOCH only: a confirmation of every house, or of HKCC, cannot rest on it.
    await expect(confirm('2019-05-07', undefined, 'every', null)).rejects.toThrow(
      'no completed reconciliation run of business date 2019-05-07 covering every clearing house',
    );
    await expect(confirm('2019-05-07', 'HKCC', 'hkcc', null)).rejects.toThrow(
      'no completed reconciliation run of business date 2019-05-07 covering clearing house HKCC',
    );
    const r = await confirm('2019-05-07', 'SEOCH', 'seoch', 'trade 2: BOS books it Monday');
    expect([r.run.runHouse, r.run.house?.house, r.pack.openBreaks]).toEqual(['SEOCH', 'SEOCH', 1]);
    const pack = JSON.parse(readFileSync(path.join(dir, 'seoch', 'pack.json'), 'utf8')) as {
      confirmation: { clearingHouse: string };
    };
    expect(pack.confirmation.clearingHouse).toBe('SEOCH');
    const report = JSON.parse(
      readFileSync(path.join(dir, 'seoch', 'reports', `run-${r.run.id}`, 'breaks.json'), 'utf8'),
    ) as BreaksJson;
    expect([report.run.house, report.carried.map((b) => b.key.tradeNo)]).toEqual(['SEOCH', ['2']]);
    // 6 May's run covered every house: HKCC's confirmation rests on it, with HKCC's one open break.
    await expect(confirm('2019-05-06', 'HKCC', 'hkcc', null)).rejects.toThrow(
      `run ${all.runId} (business date 2019-05-06): 1 open (t 1)`,
    );
    const hkcc = await confirm('2019-05-06', 'HKCC', 'hkcc', 'trade 3: BOS corrects it today');
    expect([hkcc.run.id, hkcc.run.runHouse, hkcc.pack.openBreaks]).toEqual([all.runId, null, 1]);
    const pdf = await readPdfText(path.join(dir, 'hkcc', 'confirmation.pdf'));
    expect(pdf.pages[0]).toContain('Clearing house X HKCC SEOCH Both');
  });
});
