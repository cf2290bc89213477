import type { StoreTransaction } from '../db/connect.js';
import { inputsQuery, type CompileContext } from './compile.js';
import type { Reconciliation } from './rule-set.js';

/** One file read by a run. */
export interface RunInput {
  readonly source: string;
  readonly fileId: string;
  readonly file: string;
  readonly sha256: string;
  readonly rows: number;
  readonly rejected: number;
  /** Reconciliations (and sides) that read it. */
  readonly usedBy: readonly string[];
}

type InputFile = Awaited<ReturnType<ReturnType<typeof inputsQuery>['execute']>>['rows'][number];

/** The files a run read, each once, with every reconciliation side that read it. */
export class RunInputs {
  private readonly byId = new Map<string, RunInput & { usedBy: string[] }>();
  /**
   * Each side's files by its query (SQL and parameters). Sides that read the same records (the
   * default rule set reads DCASS trades and DCASS positions twice each, against Genium and against
   * BOS) ask the same question; the run's transaction writes none of the tables it reads, so the
   * first answer stands, and each repeat saves a pass over the side's records (100,000 rows: 0.1 to
   * 0.2 s on either database).
   */
  private readonly bySideQuery = new Map<string, readonly InputFile[]>();

  /**
   * Adds the files a side of a reconciliation just run read; returns how many records it read (the
   * side's records in: every one of them is in one of the reconciliation's pairs or breaks).
   */
  async add(
    tx: StoreTransaction,
    recon: Reconciliation,
    ctx: CompileContext,
    side: 'left' | 'right',
  ): Promise<number> {
    const query = inputsQuery(recon, side, ctx);
    const compiled = query.compile(tx.db);
    const key = JSON.stringify([compiled.sql, compiled.parameters]);
    let files = this.bySideQuery.get(key);
    if (files === undefined) {
      files = (await query.execute(tx.db)).rows;
      this.bySideQuery.set(key, files);
    }
    let records = 0;
    for (const f of files) {
      records += Number(f.used);
      const entry = this.byId.get(f.id) ?? {
        source: f.source,
        fileId: String(f.id),
        file: f.file_name,
        sha256: f.sha256,
        rows: Number(f.row_count),
        rejected: Number(f.reject_count),
        usedBy: [],
      };
      entry.usedBy.push(`${recon.name}:${side}`);
      this.byId.set(f.id, entry);
    }
    return records;
  }

  /** The files in the order they were loaded. */
  list(): RunInput[] {
    return [...this.byId.values()].sort((a, b) => Number(a.fileId) - Number(b.fileId));
  }
}
