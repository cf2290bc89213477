import type { ReportBreak, ReportRecord } from '../run-data.js';
import { scriptSafe } from './escape.js';

/**
 * The breaks of the HTML report as compact JSON for the page's script: a report of 100,000 breaks must
 * stay well under 50 MB and parse in well under a second, so repeated text (reconciliations, kinds,
 * statuses, dates, accounts, series, file names, field names) is written once into a string table and
 * referred to by number. The data is an array of chunks, written one batch at a time:
 *
 *   { "s": [strings appended to the table], "h": [record shapes appended], "b": [break rows] }
 *
 * String table index 0 is null. A value in a row is a number (an index into the table) or a string
 * (the value itself, for text too varied to be worth a table entry). A break row is
 *
 *   [id, recon, entity, kind, status, reason, account, firstSeen, lastSeen, ageDays (a plain number),
 *    key [name, value, ...], fields [field, left, right, comparator, ...], left [record...],
 *    right [record...], explainedBy, reasonCode, assignee, comments (0 or [value...]),
 *    clearedByRun (1 when this run no longer found the break and cleared it, else 0)]
 *
 * and a record is [shape, value...] where the shape lists the record's field names (file and line
 * included). Every value is text, as the records carry it: decimals stay the strings they are.
 * The page script (page-script.ts) reads exactly this layout.
 */
export const BREAK_ROW_LAYOUT = [
  'id',
  'recon',
  'entity',
  'kind',
  'status',
  'reason',
  'account',
  'firstSeen',
  'lastSeen',
  'ageDays',
  'key',
  'fields',
  'left',
  'right',
  'explainedBy',
  'reasonCode',
  'assignee',
  'comments',
  'clearedByRun',
] as const;

type Ref = number | string;

// A column stops adding table entries after this many distinct values (trade numbers, references,
// timestamps): the table stays bounded whatever the number of breaks, and such values gain nothing.
const MAX_PER_COLUMN = 4096;
const MAX_INTERNED_LENGTH = 120;

/** Fields a report break may carry beyond the contract (comments, when the register reader adds them). */
interface RegisterExtras {
  readonly comments?: readonly unknown[] | null;
}

/** Counts of the breaks written, for the summary tiles and charts. */
export interface BreakTallies {
  total: number;
  readonly byStatus: Map<string, number>;
  readonly byKind: Map<string, number>;
  readonly byAccount: Map<string, number>;
  /** Per reconciliation, the breaks the run found by status, and `clearedByRun`: those it cleared. */
  readonly byRecon: Map<string, Map<string, number>>;
  /** Breaks of earlier runs this run cleared (listed after the run's own). */
  clearedByRun: number;
}

const bump = (m: Map<string, number>, k: string): void => {
  m.set(k, (m.get(k) ?? 0) + 1);
};

/** The account a break is about: its key's account, else its first record's. */
export function breakAccount(b: ReportBreak): string | null {
  const fromKey = b.key.account;
  if (typeof fromKey === 'string' && fromKey !== '') return fromKey;
  for (const r of [...b.leftRecords, ...b.rightRecords]) {
    const a = r.account;
    if (a !== null && a !== undefined && a !== '') return String(a);
  }
  return null;
}

function commentText(c: unknown): string {
  if (typeof c === 'string') return c;
  if (c !== null && typeof c === 'object') {
    const o = c as Record<string, unknown>;
    const note = o.note ?? o.text ?? o.comment;
    if (typeof note === 'string') {
      const who = [o.at, o.actor].filter((x) => typeof x === 'string' && x !== '').join(' ');
      return who === '' ? note : `${who}: ${note}`;
    }
  }
  return JSON.stringify(c);
}

/**
 * Turns report breaks into the chunks of the page's data, keeping the string table and record
 * shapes across chunks, and counts them for the summary.
 */
export class BreakEncoder {
  private readonly table = new Map<string, number>();
  private readonly perColumn = new Map<string, number>();
  private newStrings: string[] = [];
  private readonly shapes = new Map<string, number>();
  private newShapes: string[][] = [];
  private rows: unknown[] = [];
  private chunks = 0;
  readonly tallies: BreakTallies = {
    total: 0,
    byStatus: new Map(),
    byKind: new Map(),
    byAccount: new Map(),
    byRecon: new Map(),
    clearedByRun: 0,
  };

  /** Breaks added since the last chunk was taken. */
  get pending(): number {
    return this.rows.length;
  }

  /** Adds one break to the current chunk. */
  add(b: ReportBreak): void {
    const x = b as ReportBreak & RegisterExtras;
    const account = breakAccount(b);
    const t = this.tallies;
    t.total++;
    bump(t.byStatus, b.status);
    bump(t.byKind, b.kind);
    bump(t.byAccount, account ?? '(no account)');
    let recon = t.byRecon.get(b.recon);
    if (recon === undefined) t.byRecon.set(b.recon, (recon = new Map()));
    bump(recon, b.clearedByRun ? 'clearedByRun' : b.status);
    if (b.clearedByRun) t.clearedByRun++;

    const key: Ref[] = [];
    for (const [k, v] of Object.entries(b.key)) key.push(this.ref('key', k), this.ref(k, v));
    const fields: Ref[] = [];
    for (const f of b.fields) {
      fields.push(
        this.ref('field', f.field),
        this.ref(f.field, f.left),
        this.ref(f.field, f.right),
        this.ref('comparator', f.comparator),
      );
    }
    const comments = x.comments ?? null;
    this.rows.push([
      b.id,
      this.ref('recon', b.recon),
      this.ref('entity', b.entity),
      this.ref('kind', b.kind),
      this.ref('status', b.status),
      this.ref('reason', b.reason),
      this.ref('account', account),
      this.ref('date', b.firstSeenDate),
      this.ref('date', b.lastSeen),
      b.ageDays,
      key,
      fields,
      b.leftRecords.map((r) => this.record(r)),
      b.rightRecords.map((r) => this.record(r)),
      this.ref('actor', b.explainedBy),
      this.ref('reasonCode', b.reasonCode),
      this.ref('actor', b.assignee),
      comments === null || comments.length === 0
        ? 0
        : comments.map((c) => this.ref('comment', commentText(c))),
      b.clearedByRun ? 1 : 0,
    ]);
  }

  /**
   * The JSON text of the chunk holding the breaks added since the last call (with the table entries
   * and shapes they introduced), safe inside a script element; a leading comma after the first.
   */
  takeChunk(): string {
    const text = JSON.stringify({ s: this.newStrings, h: this.newShapes, b: this.rows });
    this.newStrings = [];
    this.newShapes = [];
    this.rows = [];
    return (this.chunks++ === 0 ? '' : ',') + scriptSafe(text);
  }

  private record(r: ReportRecord): Ref[] {
    // The record's database id is internal; where it came from is its file and line.
    const names = Object.keys(r).filter((k) => k !== 'id');
    const sig = names.join('\u0000');
    let shape = this.shapes.get(sig);
    if (shape === undefined) {
      shape = this.shapes.size;
      this.shapes.set(sig, shape);
      this.newShapes.push(names);
    }
    const out: Ref[] = [shape];
    for (const n of names) out.push(this.ref(n, r[n] ?? null));
    return out;
  }

  private ref(column: string, value: string | number | null): Ref {
    if (value === null) return 0;
    const text = String(value);
    const known = this.table.get(text);
    if (known !== undefined) return known;
    const used = this.perColumn.get(column) ?? 0;
    if (used >= MAX_PER_COLUMN || text.length > MAX_INTERNED_LENGTH) return text;
    this.perColumn.set(column, used + 1);
    const index = this.table.size + 1;
    this.table.set(text, index);
    this.newStrings.push(text);
    return index;
  }
}

/** A break row of the page's data with every table reference resolved (what the page script sees). */
export type DecodedBreak = Record<(typeof BREAK_ROW_LAYOUT)[number], unknown>;

/**
 * Reads the page's break data (the JSON text of its `dcass-breaks` element) back into rows with every
 * value resolved: key and fields stay flat arrays, records become objects. The page script does the
 * same in the browser; this one serves tests and anyone reading a report file programmatically.
 */
export function decodeBreakData(json: string): DecodedBreak[] {
  const chunks = JSON.parse(json) as { s: string[]; h: string[][]; b: unknown[][] }[];
  const table: (string | null)[] = [null];
  const shapes: string[][] = [];
  const rows: unknown[][] = [];
  for (const c of chunks) {
    for (const s of c.s) table.push(s);
    for (const h of c.h) shapes.push(h);
    for (const b of c.b) rows.push(b);
  }
  const v = (x: unknown): unknown => (typeof x === 'number' ? table[x] : x);
  const rec = (r: unknown[]): Record<string, unknown> => {
    const shape = shapes[r[0] as number] ?? [];
    return Object.fromEntries(shape.map((name, i) => [name, v(r[i + 1])]));
  };
  return rows.map((row) => {
    const o = {} as DecodedBreak;
    BREAK_ROW_LAYOUT.forEach((name, i) => {
      const x = row[i];
      if (name === 'ageDays' || name === 'clearedByRun') o[name] = x;
      else if (name === 'key' || name === 'fields') o[name] = (x as unknown[]).map(v);
      else if (name === 'left' || name === 'right') o[name] = (x as unknown[][]).map(rec);
      else if (name === 'comments') o[name] = x === 0 ? [] : (x as unknown[]).map(v);
      else o[name] = v(x);
    });
    return o;
  });
}
