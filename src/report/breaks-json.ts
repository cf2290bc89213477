import type { Store } from '../db/connect.js';
import { reportBreakJson } from './break-reader.js';
import { asOfOption, breakTotals, carriedCount, findRun, type ReportOptions } from './run-data.js';
import { StreamWriter } from '../shared/stream-writer.js';

/** What a report wrote. */
export interface ReportFile {
  readonly format: 'json' | 'csv';
  readonly path: string;
  readonly runId: string;
  /** The run's own breaks and those it cleared. */
  readonly breaks: number;
  /** Breaks still open or explained that the run did not find, listed after its own. */
  readonly carried: number;
}

/**
 * Writes breaks.json of a run (an id, or `latest`) to `file`: the run (its inputs with their sha256 and
 * how each was known complete, counts, and `missingInputs`: the expected inputs it did not have, with
 * the reconciliation each kept from running; `run.counts[recon].incomplete` names it too), a summary,
 * then `breaks` (the run's own and those it cleared) and `carried` (still open or explained, not found
 * by the run, first seen on or before its date, records of their last sighting), one break a line.
 * Each break's `triangulation` is its three-way view (reconcile/triangulate.ts): where Genium, DCASS
 * and BOS all speak to its account and instrument or trade on the date, `odd-genium`, `odd-dcass` or
 * `odd-bos` (the source that disagrees with the other two), `all-differ`, or `mixed` (a break of
 * several records in different situations); null when the run that found it had no three-way view.
 * `run.house`, present when the report covers one clearing house (HKCC or SEOCH: `report --house`, or
 * a run of one house), says so: breaks, summary and carried are that house's only.
 * Decimals are strings, dates ISO strings, instants ISO instants in UTC. Streamed as it is read.
 */
export async function writeBreaksJson(
  store: Store,
  run: string,
  file: string,
  options: ReportOptions = {},
): Promise<ReportFile> {
  const r = await findRun(store, run, options);
  const totals = await breakTotals(store, r.id, asOfOption(r));
  const matched = Object.values(r.counts).reduce((n, c) => n + Number(c.matched ?? 0), 0);
  const head = {
    run: {
      id: r.id,
      businessDate: r.businessDate,
      ruleSet: r.ruleSet,
      inputs: r.inputs.map((i) => ({
        source: i.source,
        file: i.file,
        sha256: i.sha256,
        rows: i.rows,
        rejected: i.rejected,
        completeness: i.completeness,
      })),
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      // As recorded; `incomplete` is null also for runs recorded before it existed.
      counts: Object.fromEntries(
        Object.entries(r.counts).map(([recon, c]) => [recon, { ...c, incomplete: c.incomplete ?? null }]),
      ),
      missingInputs: r.missingInputs,
      // Only when asked for: the register read as it stood at that moment.
      ...(r.asOf === null ? {} : { asOf: r.asOf }),
      // Only for one clearing house: the breaks (and summary) are that house's (the run's own, or asked for).
      ...(r.house === null ? {} : { house: r.house.house }),
    },
    summary: {
      matched,
      breaks: totals.byStatus,
      byKind: totals.byKind,
      carried: await carriedCount(store, r),
    },
  };
  const out = new StreamWriter(file);
  let n = 0;
  let c = 0;
  try {
    const opening = JSON.stringify(head, null, 2);
    await out.write(`${opening.slice(0, opening.lastIndexOf('}')).trimEnd()},\n  "breaks": [`);
    // The run's own breaks come first, the carried ones last (reportBreaks): one array, then the other.
    let inArray = 0;
    let carried = false;
    const next = async (name: string) => {
      await out.write(`${inArray === 0 ? ']' : '\n  ]'},\n  "${name}": [`);
      inArray = 0;
    };
    for await (const b of reportBreakJson(store, r)) {
      if (b.carried && !carried) {
        await next('carried');
        carried = true;
      }
      // One break a line, as the database wrote it: a 300,000-break file is written at the
      // database's speed, and a break stays one line for grep and diff.
      await out.write(`${inArray === 0 ? '' : ','}\n    ${b.json}`);
      inArray++;
      if (b.carried) c++;
      else n++;
    }
    if (!carried) await next('carried');
    await out.write(`${inArray === 0 ? ']' : '\n  ]'}\n}\n`);
    await out.close();
  } catch (err) {
    out.destroy();
    throw err;
  }
  return { format: 'json', path: file, runId: r.id, breaks: n, carried: c };
}
