import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse, stringify } from 'yaml';
import { builtinPath } from '../../src/shared/package-root.js';
import { loadBuiltinRuleSet, loadRuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation, type RunSummary } from '../../src/reconcile/run.js';
import { reportBreaks, type ReportBreak } from '../../src/report/break-reader.js';
import { writeBreaksCsv } from '../../src/report/breaks-csv.js';
import { writeBreaksJson } from '../../src/report/breaks-json.js';
import { decodeBreakData } from '../../src/report/html/break-data.js';
import { writeBreaksHtml } from '../../src/report/html/write-html.js';
import { findRun } from '../../src/report/run-data.js';
import { collect } from '../support/collect.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { FIXTURES, ingest } from '../support/ingest.js';

/** A copy of a shipped 3 May file with hand-made edits, each of which must apply exactly once. */
function edited(file: string, edits: readonly [string, string][]): string {
  let text = readFileSync(path.join(FIXTURES, file), 'utf8');
  for (const [from, to] of edits) {
    expect(text.split(from), `${file}: ${from}`).toHaveLength(2);
    text = text.replace(from, to);
  }
  return text;
}

// The last Genium day (3 May 2019), when Genium, DCASS and BOS all hold the date. The shipped files
// already differ in one place: Genium has M01 TCH340.00E9 long 131, DCASS and BOS 130 (Genium odd).
// The edits below make, on positions:
//   H01 HSIK9        Genium 10, DCASS 10, BOS 11            -> BOS the odd one
//   O01 MHIK9        Genium 13, DCASS 14, BOS 2 + 11 = 13   -> DCASS the odd one (gross: long compared)
//   O01 HSI28000E9   Genium 7, DCASS 6, BOS 8               -> all three differ
// and on trades:
//   DCASS lost M01 SELL 5 HSIK9 (Genium 84204, BOS BT190503-0002)   -> DCASS the odd one
//   BOS booked 12 of M01 SELL MHIK9 where both platforms have 10   -> BOS the odd one
const FILES: { source: 'genium' | 'dcass' | 'bos'; name: string; text: () => string }[] = [
  {
    source: 'genium',
    name: 'POS001_CABC_20190503.lis',
    text: () =>
      edited('genium/POS001_CABC_20190503.lis', [
        [
          'D20190503O01         HSI28000E9      000000006000000000',
          'D20190503O01         HSI28000E9      000000007000000000',
        ],
        ['T000000012000000000000000294', 'T000000012000000000000000295'], // the hash total of long and short
      ]),
  },
  {
    source: 'genium',
    name: 'TRD001_CABC_20190503.lis',
    text: () => edited('genium/TRD001_CABC_20190503.lis', []),
  },
  {
    source: 'dcass',
    name: 'POS001_CABC_20190503_0830.xml',
    text: () =>
      edited('dcass/20190503/POS001_CABC_20190503_0830.xml', [
        [
          '<Account>O01</Account><Series>MHIK9</Series><Long>13</Long>',
          '<Account>O01</Account><Series>MHIK9</Series><Long>14</Long>',
        ],
      ]),
  },
  {
    source: 'dcass',
    name: 'TRD001_CABC_20190503_0830.xml',
    text: () => {
      const text = edited('dcass/20190503/TRD001_CABC_20190503_0830.xml', [
        ['recordCount="20"', 'recordCount="19"'],
      ]);
      const lost = text.split('\n').filter((l) => l.includes('<TradeNo>3000002</TradeNo>'));
      expect(lost).toHaveLength(1);
      return text.replace(`${lost[0]}\n`, '');
    },
  },
  {
    source: 'bos',
    name: 'BOS_POSITIONS_CABC_20190503.csv',
    text: () =>
      edited('bos/BOS_POSITIONS_CABC_20190503.csv', [
        ['03/05/2019,HOUSE,HSI,F,2019-05,,10', '03/05/2019,HOUSE,HSI,F,2019-05,,11'],
        ['03/05/2019,C1001,HSI,C,2019-05,28000,6', '03/05/2019,C1001,HSI,C,2019-05,28000,8'],
      ]),
  },
  {
    source: 'bos',
    name: 'BOS_TRADES_CABC_20190503.csv',
    text: () =>
      edited('bos/BOS_TRADES_CABC_20190503.csv', [
        ['BT190503-0003,MM01,MHI,F,2019-05,,SELL,10,', 'BT190503-0003,MM01,MHI,F,2019-05,,SELL,12,'],
      ]),
  },
  { source: 'bos', name: 'ACCOUNT_MAP_CABC.csv', text: () => edited('bos/ACCOUNT_MAP_CABC.csv', []) },
];

const SWAP: Record<string, string> = {
  left: 'right',
  right: 'left',
  only_left: 'only_right',
  only_right: 'only_left',
  duplicate_left: 'duplicate_right',
  duplicate_right: 'duplicate_left',
};

/** A rule file's reconciliation with its sides swapped: every left a right and the other way round. */
function mirrored(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(mirrored);
  if (typeof value === 'string') return SWAP[value] ?? value;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [SWAP[k] ?? k, mirrored(v)]));
}

/**
 * The default rules with the sources in another order: each reconciliation's sides swapped (so
 * DCASS is the left side of the seams and the right side against BOS) and the reconciliations listed
 * in reverse, so the pair of reconciliations meeting at DCASS is found the other way round too.
 */
function reorderedRules(): string {
  const rules = parse(readFileSync(builtinPath('rules', 'default.yaml'), 'utf8')) as {
    reconciliations: Record<string, Record<string, unknown>>;
  };
  const entries = Object.entries(rules.reconciliations).reverse();
  rules.reconciliations = Object.fromEntries(
    entries.map(([name, r]) => {
      const m = mirrored({ ...r }) as Record<string, unknown>;
      // Names, descriptions and match keys are not sides.
      m.description = r.description;
      m.passes = r.passes;
      return [name, m];
    }),
  );
  return stringify(rules);
}

/** A break as a side-blind fact: its reconciliation, its kind as left or right of the sources it names, its records, its view. */
const sideBlind = (b: ReportBreak, swapped: boolean) => {
  const ids = (rows: readonly (readonly (string | null)[])[]) => rows.map((r) => r[1]).sort();
  const [first, second] = swapped ? [b.right, b.left] : [b.left, b.right];
  return {
    recon: b.recon,
    kind: swapped ? (SWAP[b.kind] ?? b.kind) : b.kind,
    records: [ids(first), ids(second)],
    triangulation: b.triangulation,
  };
};

/** What a test asks of a break: where it is, what it is, and its three-way view. */
const brief = (b: ReportBreak) => ({
  recon: b.recon,
  kind: b.kind,
  key: b.key,
  triangulation: b.triangulation,
});

describe(`three-way view of Genium, DCASS and BOS on the last Genium day (${dbKind})`, () => {
  let t: TestDb;
  const work = mkdtempSync(path.join(tmpdir(), 'dcass-triangle-'));
  const ruleSet = loadBuiltinRuleSet();
  let seam: RunSummary;
  let breaks: ReportBreak[];

  beforeAll(async () => {
    t = await createTestDb();
    const requests = FILES.map((f) => {
      const p = path.join(work, f.source, f.name);
      rmSync(p, { force: true });
      writeFileSync(path.join(mkdirp(path.join(work, f.source)), f.name), f.text());
      return { path: p, source: f.source };
    });
    const outcomes = await ingest(t.store, requests);
    expect(outcomes.map((o) => [o.status, o.rejected])).toEqual(FILES.map(() => ['loaded', 0]));
    seam = await runReconciliation(t.store, { businessDate: '2019-05-03', ruleSet });
    const run = await findRun(t.store, seam.runId, {});
    breaks = await collect(reportBreaks(t.store, run));
  });
  afterAll(async () => {
    await t.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('positions: Genium odd, BOS odd, DCASS odd and all three differing, on both reconciliations of each', () => {
    const positions = breaks.filter((b) => b.entity === 'positions').map(brief);
    const at = (account: string, instrument: string) =>
      positions.filter((b) => b.key.account === account && b.key.instrument === instrument);
    expect(at('M01', 'TCH C 2019-05 340')).toEqual([
      { recon: 'positions-seam', kind: 'mismatch', key: expect.anything(), triangulation: 'odd-genium' },
    ]);
    expect(at('H01', 'HSI F 2019-05')).toEqual([
      { recon: 'positions-bos', kind: 'mismatch', key: expect.anything(), triangulation: 'odd-bos' },
    ]);
    expect(at('O01', 'MHI F 2019-05')).toEqual([
      { recon: 'positions-seam', kind: 'mismatch', key: expect.anything(), triangulation: 'odd-dcass' },
      { recon: 'positions-bos', kind: 'mismatch', key: expect.anything(), triangulation: 'odd-dcass' },
    ]);
    expect(at('O01', 'HSI C 2019-05 28000')).toEqual([
      { recon: 'positions-seam', kind: 'mismatch', key: expect.anything(), triangulation: 'all-differ' },
      { recon: 'positions-bos', kind: 'mismatch', key: expect.anything(), triangulation: 'all-differ' },
    ]);
    expect(positions).toHaveLength(6);
  });

  it('trades: a trade DCASS lost (Genium and BOS agree) and a quantity BOS booked wrong', () => {
    const trades = breaks.filter((b) => b.entity === 'trades').map(brief);
    expect(trades).toEqual([
      {
        recon: 'trades-seam',
        kind: 'only_left',
        key: { clearingDate: '2019-05-03', series: 'HSIK9', tradeNo: '84204' },
        triangulation: 'odd-dcass',
      },
      {
        recon: 'trades-bos',
        kind: 'only_left',
        key: { clearingDate: '2019-05-03', tradeNo: '3000003' },
        triangulation: 'odd-bos',
      },
      {
        recon: 'trades-bos',
        kind: 'only_right',
        key: expect.objectContaining({ tradeNo: '84204' }),
        triangulation: 'odd-dcass',
      },
      {
        recon: 'trades-bos',
        kind: 'only_right',
        key: expect.objectContaining({ tradeNo: '84207' }),
        triangulation: 'odd-bos',
      },
    ]);
  });

  it('the run counts its breaks by three-way view for the terminal summary', () => {
    expect(seam.triangulation).toEqual({ 'all-differ': 2, 'odd-bos': 3, 'odd-dcass': 4, 'odd-genium': 1 });
  });

  it('breaks.json and breaks.csv carry the view of every break; the HTML report has it in each break row', async () => {
    const json = JSON.parse(
      await (async () => {
        const file = path.join(work, 'breaks.json');
        await writeBreaksJson(t.store, seam.runId, file);
        return readFileSync(file, 'utf8');
      })(),
    ) as { breaks: { id: string; triangulation: string | null }[] };
    expect(json.breaks.map((b) => [b.id, b.triangulation])).toEqual(
      breaks.map((b) => [b.id, b.triangulation]),
    );
    const csv = path.join(work, 'breaks.csv');
    await writeBreaksCsv(t.store, seam.runId, csv);
    const rows = parseCsv(readFileSync(csv, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.break_id, r.triangulation])).toEqual(
      breaks.map((b) => [b.id, b.triangulation]),
    );
    const html = path.join(work, 'breaks.html');
    await writeBreaksHtml(t.store, seam.runId, html);
    const page = readFileSync(html, 'utf8');
    const data = /<script type="application\/json" id="dcass-breaks">([\s\S]*?)<\/script>/.exec(page)![1]!;
    expect(decodeBreakData(data).map((b) => [b.id, b.triangulation])).toEqual(
      breaks.map((b) => [b.id, b.triangulation]),
    );
    expect(page).toContain('<select id="f-tri">');
  });

  it('the sources in another order (sides swapped, reconciliations reversed) give every break the same view', async () => {
    const file = path.join(work, 'reordered.yaml');
    writeFileSync(file, reorderedRules());
    const reordered = loadRuleSet(file);
    expect(reordered.reconciliations.map((r) => r.name)).toEqual(
      ruleSet.reconciliations.map((r) => r.name).reverse(),
    );
    const other = await runReconciliation(t.store, { businessDate: '2019-05-03', ruleSet: reordered });
    const found = await collect(reportBreaks(t.store, await findRun(t.store, other.runId, {})));
    const order = (x: ReturnType<typeof sideBlind>) => JSON.stringify(x);
    // The run's own breaks: the register's cases of the first rule set (other kinds) it clears or carries.
    expect(
      found
        .filter((b) => !b.carried && !b.clearedByRun)
        .map((b) => sideBlind(b, true))
        .sort((x, y) => order(x).localeCompare(order(y))),
    ).toEqual(breaks.map((b) => sideBlind(b, false)).sort((x, y) => order(x).localeCompare(order(y))));
    expect(other.triangulation).toEqual(seam.triangulation);
  });

  it('a re-run keeps the views; a run of the seam reconciliations alone has none', async () => {
    const again = await runReconciliation(t.store, { businessDate: '2019-05-03', ruleSet });
    const second = await collect(reportBreaks(t.store, await findRun(t.store, again.runId, {})));
    expect(second.filter((b) => !b.carried && !b.clearedByRun).map(brief)).toEqual(breaks.map(brief));
    const only = await runReconciliation(t.store, {
      businessDate: '2019-05-03',
      ruleSet,
      recons: ['positions-seam', 'trades-seam'],
    });
    expect(only.triangulation).toBeNull();
    const third = await collect(reportBreaks(t.store, await findRun(t.store, only.runId, {})));
    expect(third.filter((b) => !b.carried).map((b) => b.triangulation)).toEqual(
      third.filter((b) => !b.carried).map(() => null),
    );
    expect(third.filter((b) => !b.carried).length).toBeGreaterThan(0);
  });
});

function mkdirp(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
