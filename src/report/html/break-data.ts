import { RECORD_SHAPES, RECORD_VALUES_AT, type RecordRow, type ReportBreak } from '../break-reader.js';
import { scriptSafe } from './escape.js';

/**
 * The breaks of the HTML report as compact JSON for the page's script: a report of 100,000 breaks must
 * stay well under 50 MB and parse in well under a second, so repeated text (reconciliations, kinds,
 * statuses, dates, accounts, series, file names, field names) is written once into a string table and
 * referred to by number. The data is an array of chunks, written one batch at a time:
 *
 *   { "s": [strings appended to the table], "h": [record shapes: in the first chunk], "b": [break rows] }
 *
 * String table index 0 is null. A value in a row is a number (an index into the table) or a string
 * (the value itself, for text too varied to be worth a table entry: a column stops adding entries
 * after MAX_PER_COLUMN distinct values). A break row is
 *
 *   [id, recon, entity, kind, status, reason, account, firstSeen, lastSeen, ageDays (a plain number),
 *    key [name, value, ...], fields [field, left, right, comparator, ...], left [record...],
 *    right [record...], explainedBy, reasonCode, assignee, comments (0 or [value...]),
 *    clearedByRun (1 when this run no longer found the break and cleared it, else 0),
 *    carried (1 when the run did not find the break and it is still open or explained: carried from an
 *    earlier date, else 0), triangulation (the three-way view: odd-genium, all-differ, ...; null when none)]
 *
 * and a record is [shape, value...]: shape 0 a trade, 1 a position (RECORD_SHAPES lists their field
 * names, file and line included). Every value is text, as the records carry it: decimals stay the
 * strings they are. The page script (page-script.ts) and decodeBreakData read exactly this layout.
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
  'carried',
  'triangulation',
] as const;

// A column stops adding table entries after this many distinct values (trade numbers, references,
// timestamps): the table stays bounded whatever the number of breaks, and such values gain nothing.
const MAX_PER_COLUMN = 4096;
const MAX_INTERNED_LENGTH = 120;

/** Counts of the breaks written, for the summary tiles and charts. */
export interface BreakTallies {
  total: number;
  readonly byStatus: Map<string, number>;
  readonly byKind: Map<string, number>;
  readonly byAccount: Map<string, number>;
  /**
   * Per reconciliation, the breaks the run found by status, `clearedByRun`: those it cleared, and
   * `carried`: those it carries.
   */
  readonly byRecon: Map<string, Map<string, number>>;
  /** Breaks of earlier runs this run cleared (listed after the run's own). */
  clearedByRun: number;
  /** Breaks still open or explained that this run did not find (listed last). */
  carried: number;
}

const bump = (m: Map<string, number>, k: string): void => {
  m.set(k, (m.get(k) ?? 0) + 1);
};

const ACCOUNT_AT = RECORD_SHAPES.map((cols) => (cols as readonly string[]).indexOf('account') + RECORD_VALUES_AT);

/** The account a break is about: its key's account, else its first record's. */
function rowAccount(b: ReportBreak): string | null {
  const fromKey = b.key.account;
  if (typeof fromKey === 'string' && fromKey !== '') return fromKey;
  for (const side of [b.left, b.right]) {
    for (const r of side) {
      const a = r[ACCOUNT_AT[r[0] === '1' ? 1 : 0]!];
      if (a !== null && a !== undefined && a !== '') return String(a);
    }
  }
  return null;
}

/** One column's share of the string table: how many entries it added (it stops at MAX_PER_COLUMN). */
interface ColumnState {
  added: number;
}

// A value written as JSON text, safe inside a script element (escape.ts): JSON.stringify, then the
// few characters HTML would read, only when present (most values have none).
const SCRIPT_UNSAFE = /[<>&\u2028\u2029]/;
const literal = (text: string): string => {
  const json = JSON.stringify(text);
  return SCRIPT_UNSAFE.test(json) ? scriptSafe(json) : json;
};

/**
 * Turns breaks into the chunks of the page's data, keeping the string table across chunks, and
 * counts them for the summary. Rows are written straight to JSON text as they are added: the
 * encoder's memory is one chunk of text plus the (bounded) table.
 */
export class BreakEncoder {
  // Table index of each tabled string; tokens[i] is the JSON text of index i ("0" is null).
  private readonly table = new Map<string, number>();
  private readonly tokens: string[] = ['0'];
  private readonly named = new Map<string, ColumnState>();
  // Per record shape, the state of each of its columns, by position.
  private readonly shapeColumns = RECORD_SHAPES.map((cols) => cols.map((c) => this.column(c)));
  private readonly col = {
    id: { added: MAX_PER_COLUMN },
    recon: this.column('recon'),
    entity: this.column('entity'),
    kind: this.column('kind'),
    status: this.column('status'),
    reason: this.column('reason'),
    account: this.column('account'),
    date: this.column('date'),
    key: this.column('key'),
    field: this.column('field'),
    comparator: this.column('comparator'),
    actor: this.column('actor'),
    reasonCode: this.column('reasonCode'),
    comment: this.column('comment'),
    triangulation: this.column('triangulation'),
  };
  private newStrings: string[] = [];
  private rows: string[] = [];
  private chunks = 0;
  readonly tallies: BreakTallies = {
    total: 0,
    byStatus: new Map(),
    byKind: new Map(),
    byAccount: new Map(),
    byRecon: new Map(),
    clearedByRun: 0,
    carried: 0,
  };

  /** Breaks added since the last chunk was taken. */
  get pending(): number {
    return this.rows.length;
  }

  /** Adds one break to the current chunk. */
  add(b: ReportBreak): void {
    const account = rowAccount(b);
    const t = this.tallies;
    t.total++;
    bump(t.byStatus, b.status);
    bump(t.byKind, b.kind);
    bump(t.byAccount, account ?? '(no account)');
    let recon = t.byRecon.get(b.recon);
    if (recon === undefined) t.byRecon.set(b.recon, (recon = new Map()));
    bump(recon, b.clearedByRun ? 'clearedByRun' : b.carried ? 'carried' : b.status);
    if (b.clearedByRun) t.clearedByRun++;
    if (b.carried) t.carried++;

    const c = this.col;
    let key = '';
    for (const k in b.key) {
      key += `${key === '' ? '' : ','}${this.ref(c.key, k)},${this.ref(this.column(k), b.key[k] ?? null)}`;
    }
    let fields = '';
    for (const f of b.fields) {
      const fc = this.column(f.field);
      fields +=
        `${fields === '' ? '' : ','}${this.ref(c.field, f.field)},${this.ref(fc, f.left)},` +
        `${this.ref(fc, f.right)},${this.ref(c.comparator, f.comparator)}`;
    }
    let comments = '0';
    if (b.comments.length > 0) {
      comments = `[${b.comments.map(([at, actor, note]) => this.ref(c.comment, `${at} ${actor}: ${note ?? ''}`)).join(',')}]`;
    }
    this.rows.push(
      `[${literal(b.id)},${this.ref(c.recon, b.recon)},${this.ref(c.entity, b.entity)},${this.ref(c.kind, b.kind)},` +
        `${this.ref(c.status, b.status)},${this.ref(c.reason, b.reason)},${this.ref(c.account, account)},` +
        `${this.ref(c.date, b.firstSeen)},${this.ref(c.date, b.lastSeen)},${Number(b.ageDays) || 0},` +
        `[${key}],[${fields}],${this.records(b.left)},${this.records(b.right)},` +
        `${this.ref(c.actor, b.explainedBy)},${this.ref(c.reasonCode, b.reasonCode)},${this.ref(c.actor, b.assignee)},` +
        `${comments},${b.clearedByRun ? 1 : 0},${b.carried ? 1 : 0},${this.ref(c.triangulation, b.triangulation)}]`,
    );
  }

  /**
   * The JSON text of the chunk holding the breaks added since the last call (with the table entries
   * they introduced; the record shapes in the first), safe inside a script element; a leading comma
   * after the first.
   */
  takeChunk(): string {
    const strings = scriptSafe(JSON.stringify(this.newStrings));
    const shapes = this.chunks === 0 ? JSON.stringify(RECORD_SHAPES) : '[]';
    const text = `${this.chunks++ === 0 ? '' : ','}{"s":${strings},"h":${shapes},"b":[${this.rows.join(',')}]}`;
    this.newStrings = [];
    this.rows = [];
    return text;
  }

  private column(name: string): ColumnState {
    let c = this.named.get(name);
    if (c === undefined) this.named.set(name, (c = { added: 0 }));
    return c;
  }

  private records(rs: readonly RecordRow[]): string {
    let out = '';
    for (const r of rs) {
      const shape = r[0] === '1' ? 1 : 0;
      const cols = this.shapeColumns[shape]!;
      let rec = String(shape);
      // The page needs no record ids: the values only, after the shape.
      for (let i = 0; i < cols.length; i++) rec += `,${this.ref(cols[i]!, r[i + RECORD_VALUES_AT] ?? null)}`;
      out += `${out === '' ? '' : ','}[${rec}]`;
    }
    return `[${out}]`;
  }

  /** The JSON text of a value: its table index, or the value itself when it is not worth a table entry. */
  private ref(col: ColumnState, value: string | number | null): string {
    if (value === null) return '0';
    const text = typeof value === 'string' ? value : String(value);
    // A column that stopped adding entries is one of varied values (trade numbers, times): written as
    // they are, without a look-up.
    if (col.added >= MAX_PER_COLUMN) return literal(text);
    const known = this.table.get(text);
    if (known !== undefined) return this.tokens[known]!;
    if (text.length > MAX_INTERNED_LENGTH) return literal(text);
    col.added++;
    const index = this.tokens.length;
    this.table.set(text, index);
    this.tokens.push(String(index));
    this.newStrings.push(text);
    return this.tokens[index]!;
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
      if (name === 'ageDays' || name === 'clearedByRun' || name === 'carried') o[name] = x;
      else if (name === 'key' || name === 'fields') o[name] = (x as unknown[]).map(v);
      else if (name === 'left' || name === 'right') o[name] = (x as unknown[][]).map(rec);
      else if (name === 'comments') o[name] = x === 0 ? [] : (x as unknown[]).map(v);
      else o[name] = v(x);
    });
    return o;
  });
}
