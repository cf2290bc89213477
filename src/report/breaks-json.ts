import type { Store } from '../db/connect.js';
import type { ListBreaksOptions } from '../reconcile/breaks.js';
import {
  asOfOption,
  breakTotals,
  findRun,
  reportBreaks,
  type ReportBreak,
  type ReportRecord,
} from './run-data.js';
import { StreamWriter } from './stream-writer.js';

/** What a report wrote. */
export interface ReportFile {
  readonly format: 'json' | 'csv';
  readonly path: string;
  readonly runId: string;
  readonly breaks: number;
}

function side(records: readonly ReportRecord[]): Record<string, unknown> | null {
  const [first, ...others] = records;
  if (first === undefined) return null;
  // An aggregated or duplicated side has several records: the first one, and the others with it.
  return others.length === 0 ? first : { ...first, others };
}

/** One element of breaks.json's `breaks` array (DESIGN.md, Machine-readable break report). */
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
  };
}

/**
 * Writes breaks.json of a run (an id, or `latest`) to `file`, exactly as DESIGN.md specifies:
 * decimals as strings, dates as ISO strings. The breaks are streamed to the file as they are read.
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
      // Only when asked for: the register read as it stood at that moment.
      ...(r.asOf === null ? {} : { asOf: r.asOf }),
    },
    summary: { matched, breaks: totals.byStatus, byKind: totals.byKind },
  };
  const out = new StreamWriter(file);
  let n = 0;
  try {
    const opening = JSON.stringify(head, null, 2);
    await out.write(`${opening.slice(0, opening.lastIndexOf('}')).trimEnd()},\n  "breaks": [`);
    for await (const b of reportBreaks(store, r)) {
      const item = JSON.stringify(breakJson(b), null, 2).replaceAll('\n', '\n    ');
      await out.write(`${n === 0 ? '' : ','}\n    ${item}`);
      n++;
    }
    await out.write(n === 0 ? ']\n}\n' : '\n  ]\n}\n');
    await out.close();
  } catch (err) {
    out.destroy();
    throw err;
  }
  return { format: 'json', path: file, runId: r.id, breaks: n };
}
