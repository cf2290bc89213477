import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBreakAction } from '../../src/reconcile/break-actions.js';
import { loadBuiltinRuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation, type RunSummary } from '../../src/reconcile/run.js';
import { decodeBreakData } from '../../src/report/html/break-data.js';
import { withSnapshotReaders } from '../../src/report/break-pages.js';
import { reportBreaks, runBreaks, type ReportBreak } from '../../src/report/break-reader.js';
import { findRun } from '../../src/report/run-data.js';
import { hkTime } from '../../src/model/dates.js';
import { dailyBreakHistory } from '../../src/report/html/history.js';
import { writeBreaksHtml } from '../../src/report/html/write-html.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { fixtureRequests, ingest } from '../support/ingest.js';

const HOSTILE = `</script><script>window.pwned=1</script><img src=x onerror="window.pwned=2">`;
const DATES = ['2019-05-03', '2019-05-06', '2019-05-07', '2019-05-10'] as const;
// The reconciliations whose fixture breaks fixtures/README.md lists (the rule set may grow).
const RECONS = ['positions-seam', 'trades-seam', 'trades-bos', 'positions-bos'];

const dataOf = (html: string): string => {
  const m = /<script type="application\/json" id="dcass-breaks">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no break data in the page');
  return m[1]!;
};

// The fixtures' deliberate breaks (fixtures/README.md): B1 on 3 May, B2 on 6 May, B3 B4 B5 on 7 May,
// B6 (explained by rule) and B7 on 10 May.
describe(`HTML report on the fixtures (${dbKind})`, () => {
  let t: TestDb;
  const runs: RunSummary[] = [];
  const out = mkdtempSync(path.join(tmpdir(), 'dcass-html-'));
  let beforeResolve: string;

  beforeAll(async () => {
    t = await createTestDb();
    await ingest(t.store, fixtureRequests());
    const ruleSet = loadBuiltinRuleSet();
    for (const businessDate of DATES) {
      runs.push(await runReconciliation(t.store, { businessDate, ruleSet, recons: RECONS }));
    }
    // A value nobody vetted, in B3's BOS record (BOS_TRADES_CABC_20190507.csv line 5).
    await sql`UPDATE trade SET ref = ${HOSTILE} WHERE line_no = 5
      AND file_id = (SELECT id FROM source_file WHERE file_name = 'BOS_TRADES_CABC_20190507.csv')`.execute(
      t.store.db,
    );
  });
  afterAll(async () => t.dispose());

  it('history: per business date, what its run found and opened, and the register when it finished', async () => {
    const h = await dailyBreakHistory(t.store, runs[3]!.runId);
    expect(h.map((d) => [d.businessDate, d.runId])).toEqual(DATES.map((d, i) => [d, runs[i]!.runId]));
    expect(
      h.map(({ found, detected, reappeared, cleared, open, explained, resolved }) => ({
        found,
        detected,
        reappeared,
        cleared,
        open,
        explained,
        resolved,
      })),
    ).toEqual([
      { found: 1, detected: 1, reappeared: 0, cleared: 0, open: 1, explained: 0, resolved: 0 },
      { found: 1, detected: 1, reappeared: 0, cleared: 0, open: 2, explained: 0, resolved: 0 },
      { found: 3, detected: 3, reappeared: 0, cleared: 0, open: 5, explained: 0, resolved: 0 },
      // B6 is explained by its rule; open trade breaks of earlier dates still count.
      { found: 2, detected: 2, reappeared: 0, cleared: 0, open: 6, explained: 1, resolved: 0 },
    ]);
    // The history of an earlier run stops at its date, and reads no later run.
    const h3 = await dailyBreakHistory(t.store, runs[2]!.runId);
    expect(h3.map((d) => d.businessDate)).toEqual(DATES.slice(0, 3));
    expect(h3[2]).toMatchObject({ found: 3, open: 5 });
    expect(await dailyBreakHistory(t.store, runs[3]!.runId, { from: '2019-05-07' })).toHaveLength(2);
    expect(
      (await dailyBreakHistory(t.store, runs[3]!.runId, { maxDays: 1 })).map((d) => d.businessDate),
    ).toEqual(['2019-05-10']);
  });

  it('history: a person resolving a break counts from then on, a re-run stands for its date, and as-of reads the past', async () => {
    beforeResolve = (
      await sql<{ t: string }>`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC',
      'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t`.execute(t.store.db)
    ).rows[0]!.t;
    const b2 = await sql<{ id: string }>`SELECT c.id::text AS id FROM break_case c
      WHERE c.recon = 'trades-bos' AND c.first_seen_date = '2019-05-06'`.execute(t.store.db);
    expect(b2.rows).toHaveLength(1);
    await applyBreakAction(
      t.store,
      {
        breakId: b2.rows[0]!.id,
        action: 'resolve',
        actor: 'ops.lee',
        reason: 'BOS re-exported with the trade',
      },
      { reasonCodes: [], fourEyes: false },
    );
    // Run 4's history is read when run 4 finished: the later decision does not rewrite it.
    expect((await dailyBreakHistory(t.store, runs[3]!.runId)).at(-1)).toMatchObject({ open: 6, resolved: 0 });
    const rerun = await runReconciliation(t.store, {
      businessDate: '2019-05-10',
      ruleSet: loadBuiltinRuleSet(),
      recons: RECONS,
    });
    runs.push(rerun);
    const h = await dailyBreakHistory(t.store, rerun.runId);
    expect(h.map((d) => d.runId)).toEqual([runs[0]!.runId, runs[1]!.runId, runs[2]!.runId, rerun.runId]);
    // The re-run finds the same two breaks (seen again, nothing new) and the register holds B2 resolved.
    expect(h.at(-1)).toMatchObject({ found: 2, detected: 0, cleared: 0, open: 5, explained: 1, resolved: 1 });
    // As of a moment before the decision, the register had B2 open.
    const past = await dailyBreakHistory(t.store, rerun.runId, { asOf: beforeResolve });
    expect(past.at(-1)).toMatchObject({
      open: 6,
      explained: 1,
      resolved: 0,
      moment: beforeResolve.slice(0, 23) + 'Z',
    });
  });

  it('writes one self-contained page: strict policy, no external reference, a hostile value only as text', async () => {
    const file = path.join(out, 'run3.html');
    const w = await writeBreaksHtml(t.store, runs[2]!.runId, file, {
      participant: { code: 'CABC', name: 'ABC <Futures> & Options Ltd' },
    });
    expect(w).toMatchObject({ format: 'html', path: file, runId: runs[2]!.runId, breaks: 3, carried: 2 });
    const html = readFileSync(file, 'utf8');
    expect(w.bytes).toBe(Buffer.byteLength(html));
    expect(html).toMatch(
      /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;sha256-/,
    );
    // Exactly two script elements: the data (not executable) and the page's own script.
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html).not.toContain('<script>window.pwned');
    expect(html).not.toContain('<img');
    expect(html).toContain('\\u003c/script\\u003e\\u003cscript\\u003ewindow.pwned=1');
    // Outside the (inert) data, nothing references anything: no src, href, URL or import.
    const markup = html.replace(dataOf(html), '');
    expect(markup).not.toMatch(/\b(src|href|action|srcset)=/);
    expect(markup).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg")/);
    expect(markup).not.toMatch(/@import|url\(|fetch\(|XMLHttpRequest|WebSocket/);
    expect(html).toContain('ABC &lt;Futures&gt; &amp; Options Ltd');

    const rows = decodeBreakData(dataOf(html));
    expect(rows.map((r) => r.kind)).toEqual(['mismatch', 'mismatch', 'only_left', 'mismatch', 'only_left']);
    // After the run's own, the breaks it carries: B1 (3 May seam, still open) and B2 (6 May trade,
    // open when the run finished; resolved since, as the register now says), records of their last sighting.
    expect(rows.map((r) => r.carried)).toEqual([0, 0, 0, 1, 1]);
    expect(rows.slice(3).map((r) => [r.recon, r.firstSeen, r.lastSeen, r.status, r.ageDays])).toEqual([
      ['positions-seam', '2019-05-03', '2019-05-03', 'open', 2],
      ['trades-bos', '2019-05-06', '2019-05-06', 'resolved', 0],
    ]);
    expect(rows[4]!.left).toMatchObject([{ file: 'TRD001_CABC_20190506_2310.xml', line: '17' }]);
    const b3 = rows.find((r) => (r.fields as string[])[0] === 'price')!;
    expect(b3).toMatchObject({
      recon: 'trades-bos',
      status: 'open',
      account: 'M01',
      fields: ['price', '34.625', '34.624', 'exact'],
    });
    expect(b3.left).toMatchObject([{ file: 'TRD001_CABC_20190507_2310.csv', line: '7', price: '34.625' }]);
    expect(b3.right).toMatchObject([
      { file: 'BOS_TRADES_CABC_20190507.csv', line: '5', price: '34.624', ref: HOSTILE },
    ]);
    const b5 = rows.find((r) => r.kind === 'only_left')!;
    expect(b5).toMatchObject({ right: [], left: [{ file: 'TRD001_CABC_20190507_2310.csv', line: '17' }] });
  });

  it('header, summary, history and provenance: inputs with sha256, rule set, the rejected row of B5', async () => {
    const file = path.join(out, 'run3.html');
    const html = readFileSync(file, 'utf8');
    const run = runs[2]!;
    expect(html).toContain(`<h1>Break report: CABC, business date 2019-05-07</h1>`);
    expect(html).toContain(run.ruleSet.sha256);
    expect(html).toContain(`<span class="mono">${run.runId}</span>`);
    // Times for people in Hong Kong time with the offset (header, history, provenance); only the break
    // data (machine values, shown in Hong Kong time by the page script) holds ISO instants.
    const recorded = await findRun(t.store, run.runId);
    expect(html).toContain(
      `<span class="mono">${run.runId}</span>, started ${hkTime(recorded.startedAt)}, finished ${hkTime(recorded.finishedAt!)}</dd>`,
    );
    expect(html).toMatch(/<dt>Written<\/dt><dd>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+08:00<\/dd>/);
    expect(html).toContain(`<dt>Finished</dt><dd class="mono">${hkTime(recorded.finishedAt!)}</dd>`);
    expect(html).toContain('Times are Hong Kong time (UTC+08:00)');
    expect(html.replace(dataOf(html), '')).not.toMatch(/\d{2}:\d{2}:\d{2}(\.\d+)?Z/);
    for (const i of run.inputs) {
      expect(html).toContain(i.file);
      expect(html).toContain(i.sha256);
    }
    const tiles = /<div class="tiles" id="tiles-status">(.*?)<\/div>\n/.exec(html)![1]!;
    expect(tiles).toContain('<span class="n">4</span><span class="l">open</span>');
    expect(tiles).toContain('<span class="n">2</span><span class="l">carried from earlier dates</span>');
    const recons = /<table class="grid" id="tiles-recon">(.*?)<\/table>/.exec(html)![1]!;
    // trades-bos: 3 found by the run, B2 carried (the last column).
    expect(recons).toMatch(
      /<tr><th>trades-bos<\/th>(<td class="num">\d+<\/td>){3}<td class="num">3<\/td>.*?<td class="num">1<\/td><\/tr>/,
    );
    expect(html).not.toContain('id="missing-inputs"');
    const history = /<table class="grid" id="history">(.*?)<\/table>/.exec(html)![1]!;
    expect(history.match(/<tr>/g)).toHaveLength(4); // heading + 3 business dates up to 7 May
    const rejected = /<table class="grid" id="rejected">(.*?)<\/table>/.exec(html)![1]!;
    expect(rejected).toContain('<td class="mono">BOS_TRADES_CABC_20190507.csv</td><td class="num">16</td>');
    expect(rejected).toContain('31/04/2019');
    expect(html).toContain('<p id="refused-none">');
    // The fallback re-input list: 6 May's give-up, 7 May's two transfer legs, take-up, partial take-up
    // (T07-21) and partial give-up (T07-20); not 10 May's.
    const reinput = /<table class="grid" id="reinput-list">(.*?)<\/table>/.exec(html)![1]!;
    expect(
      [...reinput.matchAll(/<tr><td class="mono">(\d{4}-\d{2}-\d{2})<\/td><td>(\w+)<\/td>/g)].map(
        (m) => `${m[1]} ${m[2]}`,
      ),
    ).toEqual([
      '2019-05-06 GUP',
      '2019-05-07 TRF',
      '2019-05-07 TRF',
      '2019-05-07 TUP',
      '2019-05-07 TUP',
      '2019-05-07 GUP',
    ]);
    expect(reinput).toContain('TRD001_CABC_20190507_2310.csv:14');
    // Charts are inline SVG drawn on the server.
    expect(html).toMatch(/<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="chart" id="chart-kind"/);
    expect(html).toContain('id="chart-open"');
  });

  it('as of a moment: the header says so and the statuses are the register’s then; a run finished later is refused', async () => {
    const file = path.join(out, 'asof.html');
    const b2Run = runs[1]!.runId;
    const now = await writeBreaksHtml(t.store, b2Run, path.join(out, 'now.html'));
    const past = await writeBreaksHtml(t.store, b2Run, file, { asOf: beforeResolve });
    const statusOf = (f: string) => decodeBreakData(dataOf(readFileSync(f, 'utf8'))).map((r) => r.status);
    expect([now.breaks, past.breaks, now.carried, past.carried]).toEqual([1, 1, 1, 1]);
    // B2 found by the run, then B1 carried from 3 May.
    expect(statusOf(path.join(out, 'now.html'))).toEqual(['resolved', 'open']);
    expect(statusOf(file)).toEqual(['open', 'open']);
    expect(readFileSync(file, 'utf8')).toContain(`as of <strong>${hkTime(beforeResolve)}</strong>`);
    await expect(
      writeBreaksHtml(t.store, runs[4]!.runId, path.join(out, 'x.html'), { asOf: beforeResolve }),
    ).rejects.toThrow(/finished at .* after/);
  });
});

// Every report reads breaks through one reader, in pages asked for ahead; read in pages of any size,
// on its own transaction or the caller's (the HTML page's), it gives the same breaks. Every
// reconciliation of the default rule set, the rolled-forward positions (trades on a position side)
// included, on every fixture date, now and as of a past moment.
describe(`The break reader reads the same breaks whatever its pages (${dbKind})`, () => {
  let t: TestDb;
  const runIds: string[] = [];
  let midway = '';
  beforeAll(async () => {
    t = await createTestDb();
    await ingest(t.store, fixtureRequests());
    const ruleSet = loadBuiltinRuleSet();
    for (const businessDate of [...DATES, '2019-05-07']) {
      runIds.push((await runReconciliation(t.store, { businessDate, ruleSet })).runId);
      if (runIds.length === 3) {
        midway = (
          await sql<{ t: string }>`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC',
            'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t`.execute(t.store.db)
        ).rows[0]!.t;
        const open = await sql<{ id: string }>`SELECT c.id::text AS id FROM break_case c
          JOIN recon_break b ON b.case_id = c.id AND b.run_id = ${runIds.at(-1)}::bigint
          WHERE c.status = 'open' ORDER BY c.id LIMIT 1`.execute(t.store.db);
        await applyBreakAction(
          t.store,
          { breakId: open.rows[0]!.id, action: 'explain', actor: 'ops.lee', reason: 'known late booking' },
          { reasonCodes: [], fourEyes: false },
        );
      }
    }
  });
  afterAll(async () => t.dispose());

  const both = async (runId: string, asOf: string | null) => {
    const run = await findRun(t.store, runId, asOf === null ? {} : { asOf });
    const expected: ReportBreak[] = [];
    for await (const b of reportBreaks(t.store, run)) expected.push(b);
    const actual: ReportBreak[] = [];
    for await (const b of runBreaks(t.store.db, run, { comments: true })) actual.push({ ...b, comments: [] });
    // Pages of two: several asked for at once, and the cleared breaks' pages too, in the same order.
    const paged: ReportBreak[] = [];
    for await (const b of runBreaks(t.store.db, run, { pageSize: 2 })) paged.push(b);
    expect(paged).toEqual(actual);
    return { expected, actual };
  };

  it('the same breaks, order, states, records and ages for every run', async () => {
    let total = 0;
    let rolledForward = 0;
    let clearedByRun = 0;
    let carried = 0;
    for (const runId of runIds) {
      const { expected, actual } = await both(runId, null);
      expect(actual).toEqual(expected);
      total += actual.length;
      clearedByRun += actual.filter((b) => b.clearedByRun).length;
      carried += actual.filter((b) => b.carried).length;
      rolledForward += actual.filter(
        (b) => b.entity === 'positions' && b.left.some((r) => r[0] === '0'),
      ).length;
    }
    expect(total).toBeGreaterThan(8);
    // Some run lists breaks of earlier runs that it cleared (their own pages, after the run's breaks).
    expect(clearedByRun).toBeGreaterThan(0);
    // Later runs carry earlier dates' unresolved breaks (their own pages, last).
    expect(carried).toBeGreaterThan(0);
    // Positions rolled forward pair trades with positions: shown as trade records.
    expect(rolledForward).toBeGreaterThan(0);
  });

  // On a server the breaks are read by several connections at once (one per core, up to three), all
  // on the snapshot of the report's transaction. Skipped on the embedded database: one connection,
  // and one process holds it, so no decision can be taken by anyone mid-report.
  it.skipIf(dbKind !== 'postgres')(
    'every reader sees the snapshot of the report: a decision committed meanwhile does not show',
    async () => {
      const open = await sql<{ id: string }>`SELECT id::text AS id FROM break_case WHERE status = 'open'
        ORDER BY id LIMIT 1`.execute(t.store.db);
      const id = open.rows[0]!.id;
      const statusOf = async (db: typeof t.store.db) =>
        (await sql<{ status: string }>`SELECT status FROM break_case WHERE id = ${id}::bigint`.execute(db))
          .rows[0]!.status;
      const seen = await t.store.transaction(async (tx) => {
        await sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`.execute(tx.db);
        return withSnapshotReaders(t.store, tx.db, async (readers) => {
          await applyBreakAction(
            t.store,
            { breakId: id, action: 'explain', actor: 'ops.chan', reason: 'explained mid-report' },
            { reasonCodes: [], fourEyes: false },
          );
          return Promise.all(readers.map(statusOf));
        });
      });
      expect(seen.length).toBe(Math.min(3, availableParallelism()));
      expect(seen.every((s) => s === 'open')).toBe(true);
      expect(await statusOf(t.store.db)).toBe('explained');
    },
  );

  it('the same as of a past moment, and the person’s explanation after it does not show', async () => {
    const runId = runIds[2]!;
    const past = await both(runId, midway);
    expect(past.actual).toEqual(past.expected);
    const now = await both(runId, null);
    expect(now.actual.filter((b) => b.explainedBy === 'ops.lee').length).toBeGreaterThan(0);
    expect(past.actual.filter((b) => b.explainedBy === 'ops.lee')).toHaveLength(0);
  });
});
