import { createHash } from 'node:crypto';
import { createReadStream, rmSync, statSync } from 'node:fs';
import { sql } from 'kysely';
import type { Store } from '../../db/connect.js';
import type { ClearingHouse } from '../../model/vocabulary.js';
import { findRun } from '../run-data.js';
import { StreamWriter } from '../../shared/stream-writer.js';
import { BreakEncoder } from './break-data.js';
import { withSnapshotReaders } from '../break-pages.js';
import { runBreaks } from '../break-reader.js';
import { dailyBreakHistory, type ReportDb } from './history.js';
import { PAGE_SCRIPT } from './page-script.js';
import { PAGE_STYLE } from './page-style.js';
import { inputFiles, refusedFiles, rejectedRows } from './provenance.js';
import { firstUpgradedDay, reinputRows, type ReinputRow } from '../reinput.js';
import {
  REJECTED_END,
  chartsHtml,
  headerHtml,
  missingInputsHtml,
  provenanceHeadHtml,
  refusedHtml,
  reinputHtml,
  rejectedHeadHtml,
  rejectedRowHtml,
  summaryHtml,
  tableShellHtml,
  type Participant,
} from './sections.js';

/** Choices for the HTML report; every one has a default. */
export interface HtmlReportOptions {
  /** Show the break register as it stood at this moment (ISO 8601 with a zone); default: as it stands. */
  readonly asOf?: string | null;
  /** Who the report is for (the configuration's participant); default: the participants of the input files. */
  readonly participant?: Participant | null;
  /** First business date (YYYY-MM-DD) of the history charts; default: as far back as `historyDays` allows. */
  readonly historyFrom?: string | null;
  /** At most this many business dates in the history charts, the latest (default 62). */
  readonly historyDays?: number;
  /** The printed break list holds at most this many breaks of the filter on screen (default 500). */
  readonly printLimit?: number;
  /** At most this many rejected rows and refused files are listed (default 1,000 each; the totals are printed). */
  readonly listLimit?: number;
  /** The "written" time printed in the header (default: now). */
  readonly now?: Date;
  /** Only this clearing house's breaks (run-data.ts ReportOptions); default: the house the run covered. */
  readonly house?: ClearingHouse;
  /** Series root -> clearing house; the built-in product table when absent. */
  readonly products?: Readonly<Record<string, ClearingHouse>>;
}

/** What writeBreaksHtml wrote. */
export interface HtmlReportFile {
  readonly format: 'html';
  readonly path: string;
  readonly runId: string;
  /** The run's own breaks and those it cleared. */
  readonly breaks: number;
  /** Breaks still open or explained that the run did not find, listed after its own. */
  readonly carried: number;
  readonly bytes: number;
}

// Breaks per chunk of the page's data: one chunk is the unit of memory while writing.
const CHUNK = 1000;

const hashOf = (text: string): string =>
  `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * The page's Content-Security-Policy: nothing may be fetched (default-src 'none', which covers
 * connect, img, font, frame, media and object); only the page's own style element and script
 * element run, named by their sha256; no form may submit and no base URL may be set.
 */
export const REPORT_CSP = [
  "default-src 'none'",
  `script-src ${hashOf(PAGE_SCRIPT)}`,
  `style-src ${hashOf(PAGE_STYLE)}`,
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * Writes the HTML break report of a run (an id, or `latest`) to `file`: one self-contained page
 * (inline style, script and SVG charts; a Content-Security-Policy that forbids every fetch) with the
 * header, a red notice naming each missing input, summary tiles, charts (by kind, by account, and the history of the business dates up to the
 * run's), a sortable, filterable break table showing both records of each break side by side, and the
 * provenance (input files, rule set, run, rejected rows, refused files). Streamed: the breaks go to a
 * temporary file a chunk at a time while they are counted, then the page is assembled around them, so
 * memory holds one chunk whatever the number of breaks.
 */
export async function writeBreaksHtml(
  store: Store,
  run: string,
  file: string,
  options: HtmlReportOptions = {},
): Promise<HtmlReportFile> {
  const listLimit = Math.max(0, Math.floor(options.listLimit ?? 1000));
  const historyDays = Math.max(1, Math.floor(options.historyDays ?? 62));
  const r = await findRun(store, run, {
    ...(options.asOf ? { asOf: options.asOf } : {}),
    ...(options.house === undefined ? {} : { house: options.house }),
    ...(options.products === undefined ? {} : { products: options.products }),
  });
  const asOf = r.asOf;
  // The history concerns completed runs read at fixed moments (each run's finish, or the as-of moment),
  // so it needs no shared snapshot: on a server it is read on a connection of its own while the breaks
  // are (on the embedded database it simply runs first, being asked for first).
  const history = store.transaction(async (tx) => {
    await sql`SET LOCAL jit = off`.execute(tx.db);
    return dailyBreakHistory(tx, r.id, { asOf, from: options.historyFrom ?? null, maxDays: historyDays });
  });
  history.catch(() => undefined); // awaited below; a failure must not count as unhandled meanwhile
  // One snapshot for the rest of the page: every section reads the database as it stood at one moment.
  return store.transaction(async (tx) => {
    await sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`.execute(tx.db);
    // The break pages' estimated cost crosses PostgreSQL's JIT thresholds; compiling each one costs
    // seconds, far more than running it.
    await sql`SET LOCAL jit = off`.execute(tx.db);

    const dataFile = `${file}.breaks-data`;
    const enc = new BreakEncoder();
    const data = new StreamWriter(dataFile);
    try {
      await withSnapshotReaders(store, tx.db, async (readers) => {
        for await (const b of runBreaks(readers, r, { comments: true })) {
          enc.add(b);
          if (enc.pending >= CHUNK) await data.write(enc.takeChunk());
        }
      });
      if (enc.pending > 0) await data.write(enc.takeChunk());
      await data.close();
    } catch (err) {
      data.destroy();
      throw err;
    }

    const out = new StreamWriter(file);
    try {
      const inputs = await inputFiles(tx, r);
      const participants: Participant[] = options.participant
        ? [options.participant]
        : [...new Set(inputs.map((i) => i.participant).filter((p): p is string => p !== null))]
            .sort()
            .map((code) => ({ code }));
      await out.write(
        headerHtml({
          run: r,
          participants,
          asOf,
          writtenAt: (options.now ?? new Date()).toISOString(),
          csp: REPORT_CSP,
          style: PAGE_STYLE,
        }),
      );
      await out.write(missingInputsHtml(r));
      await out.write(summaryHtml(r, enc.tallies));
      await out.write(chartsHtml(enc.tallies, await history, historyDays));
      await out.write(tableShellHtml(enc.tallies.total, Math.max(0, Math.floor(options.printLimit ?? 500))));
      await out.write('<script type="application/json" id="dcass-breaks">[');
      for await (const chunk of createReadStream(dataFile, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
        await out.write(chunk as string);
      }
      await out.write(']</script>\n');
      await out.write(provenanceHeadHtml(r, inputs));
      const rejected = await rejectedRows(tx, r, listLimit);
      await out.write(rejectedHeadHtml(rejected.total, rejected.rows.length));
      if (rejected.total > 0) {
        for (const row of rejected.rows) await out.write(rejectedRowHtml(row));
        await out.write(REJECTED_END);
      }
      await out.write(refusedHtml(await refusedFiles(tx, r, listLimit)));
      await out.write(await reinputSection(tx, r.businessDate, listLimit));
      await out.write(`<script>${PAGE_SCRIPT}</script>\n</body>\n</html>\n`);
      await out.close();
    } catch (err) {
      out.destroy();
      throw err;
    } finally {
      rmSync(dataFile, { force: true });
    }
    return {
      format: 'html' as const,
      path: file,
      runId: r.id,
      breaks: enc.tallies.total - enc.tallies.carried,
      carried: enc.tallies.carried,
      bytes: statSync(file).size,
    };
  });
}

/** The re-input list of the upgraded dates up to the run's date: the first `limit` rows and the count. */
async function reinputSection(tx: ReportDb, until: string, limit: number): Promise<string> {
  const since = await firstUpgradedDay(tx);
  const rows: ReinputRow[] = [];
  let total = 0;
  if (since !== null && since <= until) {
    for await (const row of reinputRows(tx, { since, until })) {
      if (rows.length < limit) rows.push(row);
      total++;
    }
  }
  return reinputHtml({ since, until, rows, total });
}
