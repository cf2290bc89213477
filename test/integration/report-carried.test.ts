import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MissingInput } from '../../src/db/tables/recon.table.js';
import { applyBreakAction } from '../../src/reconcile/break-actions.js';
import { loadBuiltinRuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation, type RunSummary } from '../../src/reconcile/run.js';
import { writeBreaksCsv } from '../../src/report/breaks-csv.js';
import { writeBreaksJson } from '../../src/report/breaks-json.js';
import { decodeBreakData } from '../../src/report/html/break-data.js';
import { writeBreaksHtml } from '../../src/report/html/write-html.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { fixtureRequests, ingest } from '../support/ingest.js';

const DATES = ['2019-05-03', '2019-05-06', '2019-05-07', '2019-05-10'] as const;
const RECONS = ['positions-seam', 'trades-seam', 'trades-bos', 'positions-bos'];

type JsonBreak = Record<string, unknown> & { id: string; recon: string; carried: boolean };
interface BreaksJson {
  run: { counts: Record<string, { incomplete: string | null }>; missingInputs: MissingInput[] };
  summary: { carried: number };
  breaks: JsonBreak[];
  carried: JsonBreak[];
}

const dataOf = (html: string): string =>
  /<script type="application\/json" id="dcass-breaks">([\s\S]*?)<\/script>/.exec(html)![1]!;

// The fixtures' deliberate breaks (fixtures/README.md): B1 on 3 May (positions-seam), B2 on 6 May
// (trades-bos, a trade BOS lost), B3 B4 B5 on 7 May, B6 (explained by rule) and B7 on 10 May. A trade
// break is never found again by a later date's run: only the register keeps it in sight.
describe(`daily reports carry unresolved breaks of earlier dates (${dbKind})`, () => {
  let t: TestDb;
  const runs: RunSummary[] = [];
  const out = mkdtempSync(path.join(tmpdir(), 'dcass-carried-'));
  let b2 = '';

  beforeAll(async () => {
    t = await createTestDb();
    await ingest(t.store, fixtureRequests());
    const ruleSet = loadBuiltinRuleSet();
    for (const businessDate of DATES) {
      runs.push(await runReconciliation(t.store, { businessDate, ruleSet, recons: RECONS }));
    }
    b2 = (
      await sql<{ id: string }>`SELECT id::text AS id FROM break_case
        WHERE recon = 'trades-bos' AND first_seen_date = '2019-05-06'`.execute(t.store.db)
    ).rows[0]!.id;
  });
  afterAll(async () => t.dispose());

  it('breaks.json of 10 May: the 6 May trade break under `carried`, aged in business days to 10 May', async () => {
    const file = path.join(out, 'breaks.json');
    const w = await writeBreaksJson(t.store, runs[3]!.runId, file);
    const j = JSON.parse(readFileSync(file, 'utf8')) as BreaksJson;
    expect(j.breaks.every((b) => b.carried === false)).toBe(true);
    expect(j.carried.every((b) => b.carried === true)).toBe(true);
    expect([w.breaks, w.carried, j.summary.carried]).toEqual([
      j.breaks.length,
      j.carried.length,
      j.carried.length,
    ]);
    const carried = j.carried.find((b) => b.id === b2)!;
    // 7, 8, 9 and 10 May are the trading days after 6 May up to the report's date.
    expect(carried).toMatchObject({
      recon: 'trades-bos',
      kind: 'only_left',
      status: 'open',
      firstSeen: '2019-05-06',
      lastSeen: '2019-05-06',
      ageDays: 4,
      carried: true,
      left: { file: 'TRD001_CABC_20190506_2310.xml', line: 17 },
      right: null,
    });
    // Every break of 7 May's trades is carried too, and none twice.
    expect(j.carried.filter((b) => b.firstSeen === '2019-05-07').length).toBeGreaterThanOrEqual(3);
    expect(new Set([...j.breaks, ...j.carried].map((b) => b.id)).size).toBe(
      j.breaks.length + j.carried.length,
    );
    // Nothing was missing in this run.
    expect(j.run.missingInputs).toEqual([]);
    expect(Object.values(j.run.counts).every((c) => c.incomplete === null)).toBe(true);
  });

  it('breaks.csv of 10 May: carried rows last, marked yes, with their age', async () => {
    const file = path.join(out, 'breaks.csv');
    await writeBreaksCsv(t.store, runs[3]!.runId, file);
    const lines = readFileSync(file, 'utf8')
      .split('\r\n')
      .filter((l) => l !== '');
    expect(lines[0]!.endsWith(',carried,triangulation')).toBe(true);
    const b2Line = lines.find((l) => l.split(',')[2] === b2)!;
    expect(b2Line).toMatch(
      /,trades-bos,only_left,open,.*,TRD001_CABC_20190506_2310\.xml:17,,[^,]*,[^,]*,2019-05-06,2019-05-06,4,yes,$/, // no three-way view on 6 May
    );
    const flags = lines.slice(1).map((l) => l.split(',').at(-2));
    // The run's own first (no), then the carried (yes): never mixed.
    expect(flags.indexOf('yes')).toBeGreaterThan(0);
    expect(flags.slice(flags.indexOf('yes')).every((f) => f === 'yes')).toBe(true);
  });

  it('the HTML report of 10 May lists B2 as carried; once resolved, a later report no longer carries it', async () => {
    const file = path.join(out, 'b.html');
    await writeBreaksHtml(t.store, runs[3]!.runId, file);
    const html = readFileSync(file, 'utf8');
    const rows = decodeBreakData(dataOf(html));
    expect(rows.find((r) => r.id === b2)).toMatchObject({ carried: 1, ageDays: 4, firstSeen: '2019-05-06' });
    expect(html).toContain('<option value="carried">carried from earlier dates</option>');

    await applyBreakAction(
      t.store,
      { breakId: b2, action: 'resolve', actor: 'ops.lee', reason: 'BOS re-exported with the trade' },
      { reasonCodes: [], fourEyes: false },
    );
    const rerun = await runReconciliation(t.store, {
      businessDate: '2019-05-10',
      ruleSet: loadBuiltinRuleSet(),
      recons: RECONS,
    });
    const after = path.join(out, 'after.json');
    await writeBreaksJson(t.store, rerun.runId, after);
    const j = JSON.parse(readFileSync(after, 'utf8')) as BreaksJson;
    expect(j.carried.map((b) => b.id)).not.toContain(b2);
    expect(j.carried.length).toBeGreaterThan(0);
    // The earlier report, written again, still shows what was unresolved when its run finished.
    await writeBreaksJson(t.store, runs[3]!.runId, path.join(out, 'again.json'));
    const again = JSON.parse(readFileSync(path.join(out, 'again.json'), 'utf8')) as BreaksJson;
    expect(again.carried.find((b) => b.id === b2)).toMatchObject({ status: 'resolved', carried: true });
  });

  it('a run with a missing input: run.missingInputs and counts.incomplete in JSON, leading rows in CSV, a red notice in HTML', async () => {
    const missing: MissingInput[] = [
      {
        recon: 'positions-bos',
        side: 'right',
        input: 'bos-positions',
        source: 'BOS',
        entity: 'positions',
        businessDate: '2019-05-07',
        state: 'missing',
        detail: 'no BOS positions file is loaded for 2019-05-07: load it, then run the date again',
      },
    ];
    // Recorded as the run records it when an input is missing (run.ts): the reconciliation incomplete.
    const run = runs[2]!.runId;
    await sql`UPDATE recon_run SET missing_inputs = ${JSON.stringify(missing)}::jsonb,
        counts = jsonb_set(counts, '{positions-bos,incomplete}', to_jsonb(${'bos-positions missing'}::text))
      WHERE id = ${run}::bigint`.execute(t.store.db);

    const json = path.join(out, 'missing.json');
    await writeBreaksJson(t.store, run, json);
    const j = JSON.parse(readFileSync(json, 'utf8')) as BreaksJson;
    expect(j.run.missingInputs).toEqual(missing);
    expect(j.run.counts['positions-bos']!.incomplete).toBe('bos-positions missing');
    expect(j.run.counts['trades-bos']!.incomplete).toBeNull();

    const csv = path.join(out, 'missing.csv');
    await writeBreaksCsv(t.store, run, csv);
    const lines = readFileSync(csv, 'utf8').split('\r\n');
    expect(lines[1]).toBe(
      `${run},2019-05-07,,positions-bos,missing_input,missing,` +
        `"no BOS positions file is loaded for 2019-05-07: load it, then run the date again",` +
        `,,,,,,,,,,,,,input=bos-positions; side=right; source=BOS; entity=positions; expected_for=2019-05-07,,,,,,`,
    );
    // As wide as the header (27 columns): the quoted reason holds the only comma that is not a separator.
    expect(lines[1]!.split(',')).toHaveLength(lines[0]!.split(',').length + 1);

    const html = path.join(out, 'missing.html');
    await writeBreaksHtml(t.store, run, html);
    const page = readFileSync(html, 'utf8');
    const notice = /<section id="missing-inputs" class="alert" role="alert">([\s\S]*?)<\/section>/.exec(
      page,
    )![1]!;
    expect(notice).toContain('Incomplete: 1 expected input is missing');
    expect(notice).toContain('<strong>bos-positions</strong> (BOS positions, expected for 2019-05-07)');
    expect(notice).toContain('blocked positions-bos (right side)');
    // Before the summary, so it is the first thing read.
    expect(page.indexOf('id="missing-inputs"')).toBeLessThan(page.indexOf('id="summary"'));
    expect(page).toMatch(
      /<tr><th>positions-bos<\/th><td colspan="9" class="incomplete"><strong>incomplete<\/strong>: bos-positions missing<\/td>/,
    );
  });
});
