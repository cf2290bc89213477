import type { Store } from '../db/connect.js';
import type { MissingInput } from '../db/tables/recon.table.js';
import type { ReportFile } from './breaks-json.js';
import { breakIdentity, JOIN, keyText, shownValue, sideQuantity, sidePrice, whereOf } from './break-sides.js';
import { recordObject, reportBreaks, type ReportBreak } from './break-reader.js';
import { findRun, type ReportOptions } from './run-data.js';
import { StreamWriter } from '../shared/stream-writer.js';

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

/**
 * breaks.csv's columns: first what identifies a break (reconciliation, kind, status, account,
 * instrument and raw series, side, each side's quantity and price, trade number and BOS reference,
 * each side's records as file:line), then its key, differences and age, whether it is carried,
 * and its three-way view (triangulation: odd-genium, all-differ, ...; blank when none). A side of several records
 * shows its distinct values joined by ` | ` and its quantities summed (break-sides.ts). Execution
 * times are Hong Kong time with the offset; dates are business dates.
 */
export const CSV_HEADER = [
  'run',
  'business_date',
  'break_id',
  'recon',
  'kind',
  'status',
  'reason',
  'account',
  'instrument',
  'series',
  'side',
  'left_qty',
  'right_qty',
  'left_price',
  'right_price',
  'trade_no',
  'ref',
  'exec_time',
  'left_at',
  'right_at',
  'key',
  'fields',
  'first_seen',
  'last_seen',
  'age_days',
  'carried',
  'triangulation',
] as const;

/** The cells of one break's row, in CSV_HEADER's order. */
function breakCsvCells(runId: string, businessDate: string, b: ReportBreak): (string | number | null)[] {
  const left = b.left.map(recordObject);
  const right = b.right.map(recordObject);
  const id = breakIdentity([...left, ...right]);
  return [
    runId,
    businessDate,
    b.id,
    b.recon,
    b.kind,
    b.status,
    b.reason,
    id.account,
    id.instrument,
    id.series,
    // A rolled-forward position's trades have sides; the position itself has none.
    b.entity === 'trades' ? id.side : '',
    sideQuantity(b.entity, left),
    sideQuantity(b.entity, right),
    sidePrice(b.entity, left),
    sidePrice(b.entity, right),
    id.tradeNo,
    id.ref,
    id.execAt,
    left.map(whereOf).join(JOIN),
    right.map(whereOf).join(JOIN),
    keyText(b.key),
    b.fields
      .map((f) => `${f.field}: ${shownValue(f.left)} vs ${shownValue(f.right)} (${f.comparator})`)
      .join('; '),
    b.firstSeen,
    b.lastSeen,
    b.ageDays,
    b.carried ? 'yes' : 'no',
    // Last: the columns before it keep their places for spreadsheets made before it.
    b.triangulation,
  ];
}

/**
 * The cells of a missing input's row, in CSV_HEADER's order: kind `missing_input`, its state (missing
 * or refused) as the status, what to do as the reason, and what was expected as the key. No break id:
 * it is not a break, it is why a reconciliation could not run.
 */
function missingInputCsvCells(
  runId: string,
  businessDate: string,
  m: MissingInput,
): (string | number | null)[] {
  const key = `input=${m.input}; side=${m.side}; source=${m.source}; entity=${m.entity}; expected_for=${m.businessDate}`;
  // Every row as wide as the header: a spreadsheet's columns stay aligned.
  const row = new Map<(typeof CSV_HEADER)[number], string>([
    ['run', runId],
    ['business_date', businessDate],
    ['recon', m.recon],
    ['kind', 'missing_input'],
    ['status', m.state],
    ['reason', m.detail],
    ['key', key],
  ]);
  return CSV_HEADER.map((c) => row.get(c) ?? '');
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
  options: ReportOptions = {},
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
