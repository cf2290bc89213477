import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { loadBuiltinRuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation } from '../../src/reconcile/run.js';
import { runCli } from '../support/cli.js';
import { createTestTarget, dbKind } from '../support/db.js';
import { fixtureRequests, ingest } from '../support/ingest.js';
import {
  BROWSER_ENABLE_HINT,
  browserAvailability,
  launchChromium,
  openWatched,
  type TestBrowser,
  type WatchedPage,
} from './browser-support.js';

/** Screenshots kept for a person to look at (git-ignored). */
const ARTIFACTS = path.resolve(import.meta.dirname, '../artifacts');
const HOSTILE = `</script><script>window.pwned=1</script><img src="https://example.invalid/x.png" onerror="window.pwned=2">`;
// The reconciliations whose fixture breaks fixtures/README.md lists (the rule set may grow).
const RECONS = ['positions-seam', 'trades-seam', 'trades-bos', 'positions-bos'];

/**
 * `describe` for tests that need chromium: runs them when it is installed; otherwise fails them when
 * DCASS_REQUIRE_BROWSER=1 (CI) and skips them with a message saying how to enable them.
 */
function describeWithBrowser(name: string, body: () => void): void {
  const availability = browserAvailability();
  if (availability.ok) {
    describe(name, body);
  } else if (process.env.DCASS_REQUIRE_BROWSER === '1') {
    describe(name, () => {
      it('needs Debian chromium', () => {
        throw new Error(
          `DCASS_REQUIRE_BROWSER=1 but chromium is unusable: ${availability.reason}; ${BROWSER_ENABLE_HINT}`,
        );
      });
    });
  } else {
    process.stderr.write(`[browser tests skipped] ${name}: ${availability.reason}; ${BROWSER_ENABLE_HINT}\n`);
    describe.skip(`${name} (skipped: ${availability.reason}; ${BROWSER_ENABLE_HINT})`, body);
  }
}

// The 7 May run of the fixtures (fixtures/README.md): B3 (M01, price 34.625 against 34.624), B4 (I0007,
// quantity 4 against 5), B5 (M01, only in DCASS: its BOS row was rejected).
describeWithBrowser(`HTML report in chromium (${dbKind})`, () => {
  let target: { target: string; drop: () => Promise<void> };
  let browser: TestBrowser;
  let w: WatchedPage;
  const out = mkdtempSync(path.join(tmpdir(), 'dcass-html-browser-'));
  const file = path.join(out, 'breaks.html');

  const rows = () => w.page.locator('#breaks-body > tr.brk');
  const column = async (n: number) => rows().locator(`td:nth-child(${n})`).allTextContents();
  const shows = (count: number) =>
    w.page.locator(`#breaks[data-visible-rows="${count}"]`).waitFor({ state: 'attached', timeout: 10_000 });
  // The tests below read the run's own three breaks: reset the filters, then "found by this run".
  const resetToRun = async () => {
    await w.page.click('#f-reset');
    await w.page.selectOption('#f-found', 'run');
    await shows(3);
  };

  beforeAll(async () => {
    target = await createTestTarget();
    const store = await openStore(target.target);
    let runId = '';
    try {
      await migrateToLatest(store);
      await ingest(store, fixtureRequests());
      const ruleSet = loadBuiltinRuleSet();
      for (const businessDate of ['2019-05-03', '2019-05-06', '2019-05-07']) {
        runId = (await runReconciliation(store, { businessDate, ruleSet, recons: RECONS })).runId;
      }
      // A value nobody vetted, in B3's BOS record (BOS_TRADES_CABC_20190507.csv line 5).
      await sql`UPDATE trade SET ref = ${HOSTILE} WHERE line_no = 5
        AND file_id = (SELECT id FROM source_file WHERE file_name = 'BOS_TRADES_CABC_20190507.csv')`.execute(
        store.db,
      );
    } finally {
      await store.close();
    }
    // The report as a user writes it: the CLI, html only.
    const r = await runCli([
      '--db',
      target.target,
      'report',
      '--run',
      runId,
      '--out',
      out,
      '--format',
      'html',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`wrote ${file} (run ${runId}, 3 breaks, 2 carried from earlier dates)`);
    browser = await launchChromium();
    w = await openWatched(browser, file);
    await w.page.goto(pathToFileURL(file).href);
    await w.page.waitForSelector('html[data-report-ready="true"]', { timeout: 30_000 });
  });
  afterAll(async () => {
    await browser?.close();
    await target?.drop();
  });

  it('opens with no console error and no network request; a hostile value prints as text', async () => {
    // The run's three breaks, and B1 (3 May) and B2 (6 May), still open, carried from earlier dates.
    expect(await rows().count()).toBe(5);
    expect(await w.page.locator('#breaks-body > tr.brk.carried').count()).toBe(2);
    expect(await w.page.textContent('#breaks-status')).toBe('Showing 1–5 of 5 breaks');
    await w.page.selectOption('#f-found', 'run');
    await shows(3);
    expect(await w.page.textContent('#breaks-status')).toBe('Showing 1–3 of 3 breaks (filtered from 5)');
    const ref = w.page.locator('#breaks-body table.records tr', {
      has: w.page.locator('th', { hasText: /^ref$/ }),
    });
    expect(await ref.locator('td').allTextContents()).toContain(HOSTILE);
    expect(await w.page.evaluate('window.pwned')).toBeUndefined();
    expect(await w.page.locator('#breaks-body img, #breaks-body script').count()).toBe(0);
    // Summary tiles and the history table are there, charts drawn.
    expect(await w.page.locator('#history tbody tr').count()).toBe(3);
    expect(await w.page.locator('svg#chart-kind rect').count()).toBe(2);
    mkdirSync(ARTIFACTS, { recursive: true });
    await w.page.screenshot({ path: path.join(ARTIFACTS, `report-html-${dbKind}.png`), fullPage: true });
    expect(w.errors).toEqual([]);
    expect(w.requests).toEqual([]);
  });

  it('each break shows both records side by side with file and line, the differing field highlighted', async () => {
    await w.page.fill('#f-text', '34.624');
    await shows(1);
    const records = rows().first().locator('xpath=following-sibling::tr[1]').locator('table.records');
    const heads = await records.locator('thead th').allTextContents();
    expect(heads).toEqual([
      'field',
      'Left · dcassTRD001_CABC_20190507_2310.csv:7',
      'Right · bosBOS_TRADES_CABC_20190507.csv:5',
    ]);
    expect(await records.locator('tr.diff th').allTextContents()).toEqual(['price']);
    expect(await records.locator('tr.diff td').allTextContents()).toEqual(['34.625', '34.624']);
    await resetToRun();
  });

  it('filters by kind, account and free text', async () => {
    await w.page.selectOption('#f-kind', 'mismatch');
    await shows(2);
    expect(await column(3)).toEqual(['mismatch', 'mismatch']);
    await w.page.fill('#f-account', 'i00');
    await shows(1);
    expect(await column(6)).toEqual(['I0007']);
    expect(await column(8)).toEqual(['quantity: 4 → 5 (exact)']);
    expect(await w.page.textContent('#breaks-status')).toBe('Showing 1–1 of 1 breaks (filtered from 5)');
    await resetToRun();
    await w.page.selectOption('#f-status', 'open');
    await w.page.fill('#f-text', 'bos_trades_cabc_20190507');
    await shows(2);
    expect(await column(3)).toEqual(['mismatch', 'mismatch']);
    await w.page.fill('#f-text', 'no such text');
    await shows(0);
    expect(await w.page.textContent('#breaks-status')).toBe('No breaks match (filtered from 5)');
    await w.page.fill('#f-text', '1000626');
    await shows(1);
    expect(await column(3)).toEqual(['only_left']);
    await resetToRun();
    expect(w.errors).toEqual([]);
  });

  it('shows the three-way view in its own column, and filters by it', async () => {
    await w.page.click('#f-reset');
    await shows(5);
    // B1 (3 May, carried): Genium 131 where DCASS and BOS hold 130; the upgraded dates have no view.
    expect((await column(5)).sort()).toEqual(['odd-genium', '—', '—', '—', '—']);
    expect(await w.page.locator('#f-tri option').allTextContents()).toEqual(['all', 'odd-genium (1)']);
    await w.page.selectOption('#f-tri', 'odd-genium');
    await shows(1);
    expect(await column(2)).toEqual(['positions-seam']);
    expect(await column(6)).toEqual(['M01']);
    mkdirSync(ARTIFACTS, { recursive: true });
    await w.page.screenshot({
      path: path.join(ARTIFACTS, `report-html-${dbKind}-three-way.png`),
      fullPage: true,
    });
    await resetToRun();
    expect(w.errors).toEqual([]);
  });

  it('sorts by a column, and reverses on a second click', async () => {
    const accountHead = w.page.locator('#breaks thead th[data-sort="account"]');
    await accountHead.locator('button').click();
    expect(await accountHead.getAttribute('aria-sort')).toBe('ascending');
    expect(await column(6)).toEqual(['I0007', 'M01', 'M01']);
    await accountHead.locator('button').click();
    expect(await accountHead.getAttribute('aria-sort')).toBe('descending');
    expect((await column(6))[2]).toBe('I0007');
    const idHead = w.page.locator('#breaks thead th[data-sort="id"]');
    await idHead.locator('button').click();
    const ids = (await column(1)).map(Number);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    await idHead.locator('button').click();
    expect(await column(1)).toEqual(ids.map(String).reverse());
    expect(await accountHead.getAttribute('aria-sort')).toBeNull();
  });

  it('prints the filtered breaks with their records; controls hide, charts stay', async () => {
    await w.page.selectOption('#f-kind', 'mismatch');
    await shows(2);
    await w.page.emulateMedia({ media: 'print' });
    expect(await w.page.locator('#filters').isVisible()).toBe(false);
    expect(await w.page.locator('table#breaks').isVisible()).toBe(false);
    expect(await w.page.locator('#print-breaks').isVisible()).toBe(true);
    expect(await w.page.locator('svg#chart-open').isVisible()).toBe(true);
    expect(await w.page.locator('#print-breaks-body > tr.brk').count()).toBe(2);
    expect(await w.page.textContent('#print-breaks-note')).toContain(
      'the breaks of the filter set on screen, 2 of 5',
    );
    await w.page.screenshot({
      path: path.join(ARTIFACTS, `report-html-${dbKind}-print.png`),
      fullPage: true,
    });
    await w.page.emulateMedia({ media: 'screen' });
    expect(w.errors).toEqual([]);
    expect(w.requests).toEqual([]);
  });

  it('the watcher would have seen a request: a page that fetches is caught (control)', async () => {
    const probe = path.join(out, 'probe.html');
    writeFileSync(
      probe,
      '<!DOCTYPE html><img src="http://127.0.0.1:9/a.png"><img src="b.png"><script>fetch("https://example.invalid/")</script>',
    );
    const p = await openWatched(browser, probe);
    await p.page.goto(pathToFileURL(probe).href);
    await p.page.waitForTimeout(200);
    expect(p.requests.some((u) => u.startsWith('http://127.0.0.1:9/'))).toBe(true);
    expect(p.requests.some((u) => u.startsWith('https://example.invalid/'))).toBe(true);
    expect(p.requests.some((u) => u.endsWith('/b.png'))).toBe(true);
    await p.page.close();
  });
});
