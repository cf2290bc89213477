import type { Store } from '../db/connect.js';
import type { MissingInput } from '../db/tables/recon.table.js';
import type { ListBreaksOptions } from '../reconcile/breaks.js';
import type { ReportFile } from './breaks-json.js';
import { findRun, reportBreaks, type ReportBreak, type ReportRecord } from './run-data.js';
import { StreamWriter } from './stream-writer.js';

// A plain decimal number (optionally negative): a spreadsheet reads it as the number it is.
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;
// What a spreadsheet skips before it looks for a formula: whitespace (LF, CR and tab included) and
// invisible control and format characters.
const LEADING_BLANKS = /^[\s\p{Cc}\p{Cf}]*/u;
// The characters that start a formula once the cell is NFKC-normalised (full-width ＝＋－＠ and their
// small and superscript forms become = + - @).
const FORMULA_START = /^[=+\-@]/;
// A leading tab or CR is neutralised in itself (OWASP CSV injection guidance).
const CONTROL_START = /^[\t\r]/;

/**
 * A cell a spreadsheet opens as text, never as a formula: text whose first visible character is a
 * formula starter (= + - @, full-width forms included, after any leading whitespace, LF, CR or tab), or
 * that begins with a tab or CR, gets a leading single quote; plain decimal numbers, negative ones
 * included, stay numbers. The one cell function of every CSV the product writes.
 */
export function safeCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  if (PLAIN_NUMBER.test(text)) return text;
  const visible = text.normalize('NFKC').replace(LEADING_BLANKS, '');
  return FORMULA_START.test(visible) || CONTROL_START.test(text) ? `'${text}` : text;
}

/** RFC 4180: a field holding a comma, a double quote, CR or LF is quoted, its quotes doubled. */
export function quoteField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV record: cells made safe, then quoted, joined by commas, ended by CRLF (RFC 4180). */
export function csvRow(cells: readonly (string | number | null | undefined)[]): string {
  return `${cells.map((c) => quoteField(safeCell(c))).join(',')}\r\n`;
}

export const CSV_HEADER = [
  'run',
  'business_date',
  'break_id',
  'recon',
  'kind',
  'status',
  'reason',
  'key',
  'fields',
  'first_seen',
  'last_seen',
  'age_days',
  'left_file',
  'left_line',
  'right_file',
  'right_line',
  'carried',
] as const;

const where = (rs: readonly ReportRecord[], k: 'file' | 'line'): string =>
  rs.map((r) => String(r[k] ?? '')).join('; ');

/** The cells of one break's row, in CSV_HEADER's order. */
export function breakCsvCells(
  runId: string,
  businessDate: string,
  b: ReportBreak,
): (string | number | null)[] {
  return [
    runId,
    businessDate,
    b.id,
    b.recon,
    b.kind,
    b.status,
    b.reason,
    Object.entries(b.key)
      .map(([k, v]) => `${k}=${v ?? ''}`)
      .join('; '),
    b.fields
      .map((f) => `${f.field}: ${f.left ?? '(none)'} vs ${f.right ?? '(none)'} (${f.comparator})`)
      .join('; '),
    b.firstSeenDate,
    b.lastSeen,
    b.ageDays,
    where(b.leftRecords, 'file'),
    where(b.leftRecords, 'line'),
    where(b.rightRecords, 'file'),
    where(b.rightRecords, 'line'),
    b.carried ? 'yes' : 'no',
  ];
}

/**
 * The cells of a missing input's row, in CSV_HEADER's order: kind `missing_input`, its state (missing
 * or refused) as the status, what to do as the reason, and what was expected as the key. No break id:
 * it is not a break, it is why a reconciliation could not run.
 */
export function missingInputCsvCells(
  runId: string,
  businessDate: string,
  m: MissingInput,
): (string | number | null)[] {
  const key = `input=${m.input}; side=${m.side}; source=${m.source}; entity=${m.entity}; expected_for=${m.businessDate}`;
  const cells = [runId, businessDate, '', m.recon, 'missing_input', m.state, m.detail, key];
  // Every row as wide as the header: a spreadsheet's columns stay aligned.
  return [...cells, ...Array<string>(CSV_HEADER.length - cells.length).fill('')];
}

/**
 * Writes breaks.csv of a run (an id, or `latest`), streamed, spreadsheet-safe: first a row per
 * expected input the run did not have (kind `missing_input`: the reconciliation it kept from running
 * has no breaks to list), then one row per break, the carried ones (still open or explained, not
 * found by this run) last with `carried` yes.
 */
export async function writeBreaksCsv(
  store: Store,
  run: string,
  file: string,
  options: ListBreaksOptions = {},
): Promise<ReportFile> {
  const r = await findRun(store, run, options);
  const out = new StreamWriter(file);
  let n = 0;
  let c = 0;
  try {
    await out.write(csvRow(CSV_HEADER));
    for (const m of r.missingInputs) await out.write(csvRow(missingInputCsvCells(r.id, r.businessDate, m)));
    for await (const b of reportBreaks(store, r)) {
      await out.write(csvRow(breakCsvCells(r.id, r.businessDate, b)));
      if (b.carried) c++;
      else n++;
    }
    await out.close();
  } catch (err) {
    out.destroy();
    throw err;
  }
  return { format: 'csv', path: file, runId: r.id, breaks: n, carried: c };
}
