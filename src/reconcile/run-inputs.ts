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

/** The files a run read, each once, with every reconciliation side that read it. */
export class RunInputs {
  private readonly byId = new Map<string, RunInput & { usedBy: string[] }>();

  /** Adds the files each side of a reconciliation just run read. */
  async add(
    tx: StoreTransaction,
    recon: Reconciliation,
    ctx: CompileContext,
    side: 'left' | 'right',
  ): Promise<void> {
    const files = await inputsQuery(recon, side, ctx).execute(tx.db);
    for (const f of files.rows) {
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
  }

  /** The files in the order they were loaded. */
  list(): RunInput[] {
    return [...this.byId.values()].sort((a, b) => Number(a.fileId) - Number(b.fileId));
  }
}
