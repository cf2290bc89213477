/**
 * The plain reference reader of a profile, for the property tests that hold the product's load path
 * to it: the whole file decoded at once, split into lines, each CSV line parsed on its own by
 * csv-parse, each fixed-width record sliced, the XML document parsed whole by fast-xml-parser; then
 * every record read field by field with the profile's field readers (readField, no memory), the
 * defaults applied and the entity's normaliser called, as the product's per-row contract says. No
 * batching, no streaming, no fast path: the simplest reader that is correct, slow on purpose.
 *
 * It imports only the profile's types and the public entry points of the normaliser (readField,
 * unstorableValue, storableText, the entity normalisers, ExecutionTimes); the parsers and the loader
 * of src/ingest are what it is checked against. The messages of structural rejects (column count,
 * stray quotes, record length) are the product's contract and are written out here again.
 */
import { CsvError, parse as csvParse } from 'csv-parse/sync';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Profile } from '../../src/config/profile.js';
import type { CopyRow } from '../../src/db/copy.js';
import type { SessionTimes, TradingCalendar } from '../../src/model/calendar.js';
import type { AccountResolver } from '../../src/ingest/normalise/account-resolver.js';
import { accountMapNormaliser } from '../../src/ingest/normalise/account-map-record.js';
import type { EntityNormaliser, NormaliseContext } from '../../src/ingest/normalise/context.js';
import { ExecutionTimes } from '../../src/ingest/normalise/execution-times.js';
import { readField, type FieldValue } from '../../src/ingest/normalise/field.js';
import { positionNormaliser } from '../../src/ingest/normalise/position-record.js';
import { RAW_SERIES } from '../../src/ingest/normalise/record-values.js';
import { storableText, unstorableValue } from '../../src/ingest/normalise/storable-text.js';
import { tradeNormaliser } from '../../src/ingest/normalise/trade-record.js';
import type { Issue } from '../../src/shared/issue.js';

/** A rejected row as stored: line, field, code, reason. */
export interface ReferenceReject {
  readonly line: number;
  readonly field: string | null;
  readonly code: string;
  readonly reason: string;
}

/** What the reference reads of a file: refused whole (why, in words), or its rows and rejects. */
export type ReferenceResult =
  | { readonly refused: string }
  | { readonly refused: null; readonly rows: CopyRow[]; readonly rejects: ReferenceReject[] };

/** What reading needs besides the bytes: the file's identity as stored, the calendar and the account map. */
export interface ReferenceContext {
  readonly fileId: string;
  readonly participant: string;
  readonly businessDate: string | null;
  readonly calendar: TradingCalendar;
  readonly sessions: SessionTimes;
  readonly accounts: AccountResolver;
}

export const REFERENCE_NORMALISERS: Readonly<Record<Profile['entity'], EntityNormaliser>> = {
  trades: tradeNormaliser,
  positions: positionNormaliser,
  account_map: accountMapNormaliser,
};

type Texts = Record<string, string>;

/** One record of the file in the reference's terms. */
type Item =
  | { kind: 'record'; line: number; values: Texts; extra: Texts | null; problem?: Issue }
  | { kind: 'reject'; line: number; code: string; message: string };

class Refused extends Error {}

const texts = (): Texts => Object.create(null) as Texts;

/** Reads a whole file as the profile says. */
export function referenceRead(profile: Profile, bytes: Buffer, ctx: ReferenceContext): ReferenceResult {
  try {
    const text = decode(bytes, profile.format.encoding);
    const { items, controls } = split(profile, text);
    return { refused: null, ...readItems(profile, items, controls, ctx) };
  } catch (err) {
    if (err instanceof Refused) return { refused: err.message };
    throw err;
  }
}

function decode(bytes: Buffer, encoding: Profile['format']['encoding']): string {
  if (encoding === 'ascii' && bytes.some((b) => b > 0x7f)) throw new Refused('not ASCII');
  try {
    // A UTF-8 byte order mark is dropped (TextDecoder's default).
    return new TextDecoder(encoding === 'ascii' ? 'utf-8' : encoding, { fatal: true }).decode(bytes);
  } catch {
    throw new Refused(`not valid ${encoding}`);
  }
}

/** Lines without their LF or CRLF ending, numbered from 1; a last line without LF counts. */
function lines(text: string): { line: number; text: string }[] {
  const parts = text.split('\n');
  if (parts.at(-1) === '') parts.pop();
  return parts.map((t, i) => ({ line: i + 1, text: t.endsWith('\r') ? t.slice(0, -1) : t }));
}

/** The file's control figures: the trailer's (fixed width) or the header's record count (XML). */
interface Controls {
  readonly trailer: { recordCount: string; hashTotal: string | null } | null;
  readonly recordCount: string | undefined;
}

function split(profile: Profile, text: string): { items: Item[]; controls: Controls } {
  const { format } = profile;
  switch (format.type) {
    case 'fixed-width':
      return fixedWidth(profile, format, text);
    case 'csv':
      return { items: csv(profile, format, text), controls: { trailer: null, recordCount: undefined } };
    case 'xml':
      return xml(profile, format, text);
  }
}

type Format<T extends Profile['format']['type']> = Extract<Profile['format'], { type: T }>;

function positions(specs: Readonly<Partial<Record<string, { from: unknown }>>>): [string, number, number][] {
  return Object.entries(specs).map(([name, spec]) => {
    const [start, length] = spec!.from as [number, number];
    return [name, start, length];
  });
}

function fixedWidth(profile: Profile, format: Format<'fixed-width'>, text: string) {
  const cut = (s: string, start: number, length: number): string => s.slice(start - 1, start - 1 + length);
  const fields = positions(profile.fields);
  const width = Math.max(...fields.map(([, s, l]) => s + l - 1));
  const items: Item[] = [];
  let header = false;
  let trailer: Controls['trailer'] = null;
  for (const { line, text: record } of lines(text)) {
    if (record.trim() === '') continue;
    if (trailer !== null) throw new Refused('a record after the trailer');
    const type = cut(record, ...format.recordType);
    if (!header) {
      if (type !== format.header.code) throw new Refused('no header record');
      header = true;
    } else if (type === format.detailCode) {
      const padded = record.padEnd(width, ' ');
      const values = texts();
      for (const [name, s, l] of fields) values[name] = cut(padded, s, l);
      const end = format.allowTrailingSpaces ? record.replace(/ +$/, '').length : record.length;
      const problem: Issue | undefined =
        end <= width
          ? undefined
          : {
              code: 'BAD_RECORD',
              message: format.allowTrailingSpaces
                ? `the detail record runs to position ${end} with characters other than spaces, but the layout's records are ${width} characters long`
                : `the detail record is ${record.length} characters long, but the layout's records are ${width} characters long`,
            };
      items.push({ kind: 'record', line, values, extra: null, ...(problem ? { problem } : {}) });
    } else if (type === format.trailer.code) {
      const hash = format.trailer.hashTotal;
      trailer = {
        recordCount: cut(record, ...format.trailer.recordCount),
        hashTotal: hash ? cut(record, ...hash) : null,
      };
    } else {
      items.push({ kind: 'reject', line, code: 'BAD_RECORD', message: `unknown record type "${type}"` });
    }
  }
  if (!header) throw new Refused('empty');
  if (trailer === null) throw new Refused('no trailer');
  return { items, controls: { trailer, recordCount: undefined } };
}

function csv(profile: Profile, format: Format<'csv'>, text: string): Item[] {
  if (format.multilineFields) throw new Error('reference reader: multi-line CSV fields are not covered');
  const options = { delimiter: format.delimiter, quote: format.quote, relax_column_count: true };
  let header: { columns: [number, string][]; extras: [number, string][]; width: number } | null = null;
  const items: Item[] = [];
  for (const { line, text: record } of lines(text)) {
    if (record === '') continue;
    const reject = (message: string): void => {
      items.push({ kind: 'reject', line, code: 'BAD_RECORD', message });
    };
    let fields: string[] | null = null;
    let problem = '';
    if (record.length > format.maxRecordSize)
      problem = `longer than the ${format.maxRecordSize.toLocaleString('en')} characters allowed (${record.length.toLocaleString('en')}; format.maxRecordSize in profile ${profile.name}); only its first 1,000 characters are kept`;
    else if (record.includes('\r'))
      problem = `a carriage return (CR) alone at character ${record.indexOf('\r') + 1} of line ${line}: lines must end in LF or CRLF, and CR is not allowed inside a value`;
    else {
      try {
        fields = (csvParse(record, options) as string[][])[0] ?? [];
      } catch (err) {
        if (!(err instanceof CsvError)) throw err;
        problem = quoteProblem(err);
      }
    }
    if (header === null) {
      if (fields === null) throw new Refused(`header not readable: ${problem}`);
      header = csvHeader(profile, fields);
      continue;
    }
    if (fields === null) reject(problem);
    else if (fields.length !== header.width)
      reject(`expected ${header.width} columns as in the header, got ${fields.length}`);
    else {
      const values = texts();
      for (const [i, name] of header.columns) values[name] = fields[i]!;
      let extra: Texts | null = null;
      for (const [i, name] of header.extras) (extra ??= texts())[name] = fields[i]!;
      items.push({ kind: 'record', line, values, extra });
    }
  }
  if (header === null) throw new Refused('no header row');
  const loaded = items.filter((i) => i.kind === 'record').length;
  if (loaded === 0 && (items.length > 0 || !format.allowEmpty)) throw new Refused('no readable record');
  return items;
}

function quoteProblem(err: CsvError): string {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is not closed on its line (a stray quote? this profile allows no line breaks in a value)';
    case 'INVALID_OPENING_QUOTE':
      return 'a quote inside an unquoted value (a stray quote?); quote the whole value and double the quote';
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'characters after the closing quote of a value (a stray quote?)';
    default:
      return `not valid CSV: ${err.message.replace(/ at line \d+/g, '')}`;
  }
}

function csvHeader(profile: Profile, header: string[]) {
  const names = header.map((h) => h.trim());
  if (new Set(names).size !== names.length) throw new Refused('a column named twice');
  const columns: [number, string][] = [];
  for (const [field, spec] of Object.entries(profile.fields)) {
    const i = names.indexOf(spec.from as string);
    if (i >= 0) columns.push([i, field]);
    else if (!spec.optional) throw new Refused(`column ${String(spec.from)} missing`);
  }
  const mapped = new Set(columns.map(([i]) => i));
  const extras = names.flatMap((n, i): [number, string][] => (mapped.has(i) ? [] : [[i, n]]));
  return { columns, extras, width: header.length };
}

function xml(profile: Profile, format: Format<'xml'>, text: string) {
  if (XMLValidator.validate(text) !== true) throw new Refused('not well-formed XML');
  const doc = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    isArray: (name, jpath) => jpath === `${format.root}.${format.record}`,
  }).parse(text) as Record<string, unknown>;
  const root = doc[format.root] as Record<string, unknown> | undefined;
  if (root === undefined) throw new Refused('no root element');
  const byElement = new Map(Object.entries(profile.fields).map(([f, s]) => [s.from as string, f]));
  // Records' lines: where each record's start tag is (the generator writes no comment or CDATA).
  const starts = [...text.matchAll(new RegExp(`<${format.record}[\\s>/]`, 'g'))].map(
    (m) => text.slice(0, m.index).split('\n').length,
  );
  const records = (root[format.record] as unknown[] | undefined) ?? [];
  if (records.length !== starts.length) throw new Error('reference reader: record tags not found as parsed');
  const items: Item[] = records.map((r, k) => {
    const values = texts();
    let extra: Texts | null = null;
    for (const [element, value] of Object.entries((r ?? {}) as Record<string, unknown>)) {
      if (typeof value !== 'string') throw new Refused(`<${element}> is not a text field`);
      const field = byElement.get(element);
      if (field !== undefined) values[field] = value;
      else (extra ??= texts())[element] = value;
    }
    return { kind: 'record', line: starts[k]!, values, extra };
  });
  const declared = profile.format.type === 'xml' ? format.header.recordCount?.from : undefined;
  const recordCount = typeof declared === 'string' ? (root[declared] as string | undefined) : undefined;
  return { items, controls: { trailer: null, recordCount } };
}

/** Reads every record as the per-row contract says, then checks the file's controls. */
function readItems(profile: Profile, items: Item[], controls: Controls, ctx: ReferenceContext) {
  const normaliser = REFERENCE_NORMALISERS[profile.entity];
  const context: NormaliseContext = {
    fileId: ctx.fileId,
    source: profile.source,
    participant: ctx.participant,
    businessDate: ctx.businessDate,
    calendar: ctx.calendar,
    sessions: ctx.sessions,
    accounts: ctx.accounts,
    executions: new ExecutionTimes(ctx.calendar, ctx.sessions),
  };
  const rows: CopyRow[] = [];
  const rejects: ReferenceReject[] = [];
  const reject = (line: number, issues: readonly Issue[]): void => {
    const first = issues[0]!;
    rejects.push({
      line,
      field: first.field === undefined ? null : storableText(first.field),
      code: first.code,
      reason: storableText(issues.map((i) => i.message).join('; ')),
    });
  };
  let details = 0;
  let hash = 0n;
  let hashUnreadable = false;
  const hashOf = profile.control.hashTotal;
  for (const item of items) {
    if (item.kind === 'reject') {
      rejects.push({ line: item.line, field: null, code: item.code, reason: storableText(item.message) });
      continue;
    }
    details++;
    for (const name of hashOf?.of ?? []) {
      const t = (item.values[name] ?? '').trim();
      if (/^[0-9]+$/.test(t)) hash += BigInt(t);
      else hashUnreadable = true;
    }
    if (item.problem !== undefined) {
      reject(item.line, [item.problem]);
      continue;
    }
    const unstorable = unstorableValue(item.values, item.extra, profile.fields);
    if (unstorable !== null) {
      reject(item.line, [unstorable]);
      continue;
    }
    const values: Record<string, FieldValue> = Object.create(null) as Record<string, FieldValue>;
    const issues: Issue[] = [];
    for (const [name, spec] of Object.entries(profile.fields)) {
      const r = readField(name, spec, item.values[name], ctx.businessDate);
      if (r.ok) values[name] = r.value;
      else issues.push(r.issue);
    }
    for (const [name, value] of Object.entries(profile.defaults)) {
      if (values[name] === undefined || values[name] === null) values[name] = value;
    }
    if (item.values.series !== undefined) values[RAW_SERIES] = item.values.series.trim();
    if (issues.length > 0) {
      reject(item.line, issues);
      continue;
    }
    const row = normaliser.toRow(values, item.extra, item.line, context);
    if (row.ok) rows.push(row.value);
    else reject(item.line, [row.issue]);
  }
  if (rows.length === 0 && rejects.length > 0) throw new Refused('every record rejected');
  const { trailer, recordCount } = controls;
  if (trailer !== null) {
    const count = trailer.recordCount.trim();
    if (!/^[0-9]+$/.test(count) || BigInt(count) !== BigInt(details)) throw new Refused('trailer count');
    if (hashOf !== undefined && trailer.hashTotal !== null) {
      const want = trailer.hashTotal.trim();
      const got = hash % 10n ** BigInt(hashOf.digits);
      if (hashUnreadable || !/^[0-9]+$/.test(want) || want.length > hashOf.digits || BigInt(want) !== got)
        throw new Refused('hash total');
    }
  }
  if (recordCount !== undefined) {
    const n = recordCount.trim();
    if (!/^[0-9]+$/.test(n) || BigInt(n) !== BigInt(details)) throw new Refused('record count');
  }
  return { rows, rejects };
}
