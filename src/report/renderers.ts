import path from 'node:path';
import type { Store } from '../db/connect.js';
import type { ClearingHouse } from '../model/vocabulary.js';
import { DcassError } from '../shared/errors.js';
import { writeBreaksCsv } from './breaks-csv.js';
import { writeBreaksJson } from './breaks-json.js';
import { writeBreaksHtml, type Participant } from './html/index.js';

/**
 * The break report formats, one renderer each: the `report` command, `verify` and the evidence pack
 * all write through this list, so a new format is one more renderer here.
 */

/** What every renderer can be told about a report. */
export interface RenderContext {
  /** The break register as it stood at this moment (ISO 8601 with a zone); absent: as it stands. */
  readonly asOf?: string;
  /** Who the report is for (the configuration's participant), where the format names it. */
  readonly participant?: Participant | null;
  /** The time the report prints as its writing time (default: now): a pack passes its own. */
  readonly now?: Date;
  /** Only this clearing house's breaks; default: the house the run covered (every house for an unscoped run). */
  readonly house?: ClearingHouse;
  /** Series root -> clearing house (the configuration's product table); the built-in table when absent. */
  readonly products?: Readonly<Record<string, ClearingHouse>>;
}

/** A report file a renderer wrote. */
export interface RenderedReport {
  readonly format: string;
  readonly path: string;
  readonly runId: string;
  /** The run's own breaks and those it cleared. */
  readonly breaks: number;
  /** Breaks still open or explained that the run did not find, listed after its own. */
  readonly carried: number;
}

/** One break report format: its name, its file's name, and how it writes a run's breaks there. */
export interface ReportRenderer {
  readonly format: string;
  readonly fileName: string;
  write(store: Store, run: string, file: string, context: RenderContext): Promise<RenderedReport>;
}

// The register's moment and the clearing house, as every format's reader takes them.
const asOfOf = (c: RenderContext) => ({
  ...(c.asOf === undefined ? {} : { asOf: c.asOf }),
  ...(c.house === undefined ? {} : { house: c.house }),
  ...(c.products === undefined ? {} : { products: c.products }),
});

/** The formats, in the order a folder of reports is written: breaks.json, breaks.csv, breaks.html. */
export const REPORT_RENDERERS = [
  {
    format: 'json',
    fileName: 'breaks.json',
    write: (store, run, file, c) => writeBreaksJson(store, run, file, asOfOf(c)),
  },
  {
    format: 'csv',
    fileName: 'breaks.csv',
    write: (store, run, file, c) => writeBreaksCsv(store, run, file, asOfOf(c)),
  },
  {
    format: 'html',
    fileName: 'breaks.html',
    write: (store, run, file, c) =>
      writeBreaksHtml(store, run, file, {
        ...asOfOf(c),
        ...(c.participant === undefined ? {} : { participant: c.participant }),
        ...(c.now === undefined ? {} : { now: c.now }),
      }),
  },
] as const satisfies readonly ReportRenderer[];

export type ReportFormat = (typeof REPORT_RENDERERS)[number]['format'];

/** The formats a `--format` list names (comma-separated, any case, repeats ignored); a usage error otherwise. */
export function parseReportFormats(list: string): ReportFormat[] {
  const known: readonly string[] = REPORT_RENDERERS.map((r) => r.format);
  const items = list
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  const bad = items.filter((s) => !known.includes(s));
  if (bad.length > 0 || items.length === 0) {
    throw new DcassError('USAGE', `unknown report format ${bad.join(', ') || '(none)'}`, {
      hint: `choose from ${known.join(', ')}`,
    });
  }
  return [...new Set(items)] as ReportFormat[];
}

/**
 * Writes a run's break reports into `outDir`, one file per renderer (every format unless some are
 * named), in the registry's order.
 */
export async function writeReports(
  store: Store,
  run: string,
  outDir: string,
  context: RenderContext = {},
  renderers: readonly ReportRenderer[] = REPORT_RENDERERS,
): Promise<RenderedReport[]> {
  const written: RenderedReport[] = [];
  for (const r of renderers) written.push(await r.write(store, run, path.join(outDir, r.fileName), context));
  return written;
}

/** The renderers of the named formats, in the order named. */
export function renderersOf(formats: readonly ReportFormat[]): ReportRenderer[] {
  return formats.map((f) => REPORT_RENDERERS.find((r) => r.format === f)!);
}
