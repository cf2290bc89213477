import type { Store } from '../db/connect.js';
import type { ListBreaksOptions } from '../reconcile/breaks.js';
import {
  asOfOption,
  breakTotals,
  carriedCount,
  findRun,
  reportBreaks,
  type ReportBreak,
  type ReportRecord,
} from './run-data.js';
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

function side(records: readonly ReportRecord[]): Record<string, unknown> | null {
  const [first, ...others] = records;
  if (first === undefined) return null;
  // An aggregated or duplicated side has several records: the first one, and the others with it.
  return others.length === 0 ? first : { ...first, others };
}

/**
 * One element of breaks.json's `breaks` array (the machine-readable break report), and of its
 * `carried` array, the same shape with `carried: true`.
 */
export function breakJson(b: ReportBreak): Record<string, unknown> {
  return {
    id: b.id,
    recon: b.recon,
    kind: b.kind,
    key: b.key,
    fields: b.fields.map((f) => ({ field: f.field, left: f.left, right: f.right, comparator: f.comparator })),
    status: b.status,
    reason: b.reason,
    firstSeen: b.firstSeenDate,
    lastSeen: b.lastSeen,
    ageDays: b.ageDays,
    left: side(b.leftRecords),
    right: side(b.rightRecords),
    carried: b.carried,
  };
}

/**
 * Writes breaks.json of a run (an id, or `latest`) to `file`: `run`, `summary` and `breaks`, with
 * decimals as strings, dates as ISO strings. The breaks are streamed to the file as they are read.
 * It also carries `run.missingInputs` (the expected inputs the run did not have, with the
 * reconciliation each kept from running; `run.counts[recon].incomplete` names it too), and after
 * `breaks` (the run's own and those it cleared) the array `carried`: the breaks still open or
 * explained that the run did not find, first seen on or before its date, records of their last
 * sighting; `summary.carried` counts them.
 */
export async function writeBreaksJson(
  store: Store,
  run: string,
  file: string,
  options: ListBreaksOptions = {},
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
    for await (const b of reportBreaks(store, r)) {
      if (b.carried && !carried) {
        await next('carried');
        carried = true;
      }
      const item = JSON.stringify(breakJson(b), null, 2).replaceAll('\n', '\n    ');
      await out.write(`${inArray === 0 ? '' : ','}\n    ${item}`);
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
