/**
 * Streaming reader of the records (`<Trade>`, `<Position>`) of an upgraded DCASS XML report.
 *
 * Parsing and well-formedness are saxes' job (a strict, non-validating SAX parser that never expands
 * or fetches anything). This module only tracks where it is in the fixed two-level layout
 * (root > record > text-only fields), copies the record's raw text out of a small window of the
 * stream, and refuses what a DCASS report never holds (see xml-guard.ts).
 *
 * saxes is the fastest strict parser measured for this (200,000-record TRD001 document, records/s of
 * CPU): saxes with no-op handlers ~215,000; expat-wasm ~68,000 (one WASM call and string copy per
 * event); @rgrove/parse-xml and fast-xml-parser ~23,000 and whole-document only. sax-wasm is faster but
 * does not check well-formedness, and libxml2-wasm has no streaming interface. So the reader's own work
 * per record is kept small instead: bench:xml prints saxes alone beside the reader.
 */
import { SaxesParser } from 'saxes';
import type { SaxesStartTagPlain } from 'saxes';
import { DcassError } from '../../shared/errors.js';
import { emptyTexts, type FieldTexts } from './parse-event.js';
import type { GuardHit } from './xml-guard.js';
import { XmlGuard } from './xml-guard.js';

/** Names of the document element and of the repeated record element, e.g. `DcassReport` / `Trade`. */
export interface XmlLayout {
  root: string;
  record: string;
}

/** What readXmlRecords yields: first the root's attributes, then one event per record element. */
export type XmlEvent = XmlRootEvent | { kind: 'record'; line: number; fields: FieldTexts; raw: string };

/** The root element's attributes, given once its start tag is complete. */
export interface XmlRootEvent {
  kind: 'root';
  attributes: Record<string, string>;
  line: number;
}

/**
 * A record as readXmlBatches gives it: the shape of a parse event's record, so the XML parser passes it
 * on as it is. Children named in `fieldOf` are in `values` under their field's name, others in `extra`.
 */
export interface XmlRecord {
  kind: 'record';
  line: number;
  values: FieldTexts;
  extra: FieldTexts | null;
  raw: string;
}

/**
 * Largest record, and largest stretch of text outside records, accepted (in UTF-16 code units). A DCASS
 * record is under 1 KiB; the cap keeps memory flat when a file lacks a closing tag or is hostile.
 */
export const MAX_XML_UNIT_CHARS = 1 << 20;

/** Streams root and record events out of decoded text chunks split anywhere; throws DcassError. */
export async function* readXmlRecords(
  chunks: AsyncIterable<string>,
  layout: XmlLayout,
  file: string,
): AsyncGenerator<XmlEvent> {
  for await (const batch of readXmlBatches(chunks, layout, file, null)) {
    for (const event of batch) {
      yield event.kind === 'root'
        ? event
        : { kind: 'record', line: event.line, fields: event.values, raw: event.raw };
    }
  }
}

/**
 * The events of each piece of a chunk as one array: one await per piece rather than one per record (an
 * async generator's await per record cost ~10% of reading, measured with bench/xml-parse.ts). With `fieldOf`
 * (element name to field name), a record's mapped children are stored under their field's names as
 * they are read; without it, every child is in `values` under its element's name.
 */
export async function* readXmlBatches(
  chunks: AsyncIterable<string>,
  layout: XmlLayout,
  file: string,
  fieldOf: ReadonlyMap<string, string> | null,
): AsyncGenerator<readonly (XmlRootEvent | XmlRecord)[]> {
  const reader = new RecordReader(layout, file, fieldOf);
  for await (const chunk of chunks) {
    for (const piece of pieces(chunk)) {
      const { events, error } = reader.run(() => reader.push(piece));
      // Records complete before a fault are still given, so chunking never changes what a caller sees.
      if (events.length > 0) yield events;
      if (error !== undefined) throw error;
    }
  }
  const { events, error } = reader.run(() => reader.finish());
  if (events.length > 0) yield events;
  if (error !== undefined) throw error;
}

/**
 * Characters of text parsed at once, at most. A piece's records all stay alive until the last of them
 * is stored: a 256 KiB chunk's 550 records at once outlived the ingest worker's young-generation
 * collections, which copied them and promoted some (see RUN_LINES in physical-lines.ts). In pieces, a
 * TRD001 report of 1,000,000 trades was ingested on the server in 11.6-11.9 s instead of 12.7-13.2 s.
 */
const PIECE_CHARS = 32 * 1024;

/** A chunk in pieces of at most PIECE_CHARS characters (split anywhere, as chunks are: see readXmlRecords). */
function* pieces(chunk: string): Generator<string> {
  for (let start = 0; start < chunk.length; start += PIECE_CHARS)
    yield chunk.slice(start, start + PIECE_CHARS);
}

/** Where a child element's text goes, cached by the child's position in the record. */
interface ChildSlot {
  /** The element's name, as first read (the same string each time, so comparing it is quick). */
  readonly element: string;
  /** Its field's name, or the element's name when the field is not mapped. */
  readonly key: string;
  readonly mapped: boolean;
}

const MALFORMED_HINT =
  'The file is damaged, truncated or not a DCASS XML report of this layout: fetch it again, or check the profile.';
const FORBIDDEN_HINT =
  'Nothing in the file was expanded or fetched. A genuine DCASS report never has one: check where the file came from.';

// Depth of the parser inside the layout: 0 outside the root, 1 in the root, 2 in a record, 3 in a field.
const IN_ROOT = 1;
const IN_RECORD = 2;
const IN_FIELD = 3;

class RecordReader {
  private readonly parser = new SaxesParser<{ xmlns: false; position: true }>({
    xmlns: false,
    position: true,
  });
  private readonly guard = new XmlGuard();
  private readonly root: string;
  private readonly record: string;
  private readonly keep: number;
  private out: (XmlRootEvent | XmlRecord)[] = [];
  // The stream's text from offset `bufOffset` on: the open record (for `raw`) or the last few chars.
  private buf = '';
  private bufOffset = 0;
  private depth = 0;
  private rootLine = 0;
  // The root's tag while its attributes are still being parsed: saxes fills `attributes` in place, and
  // they are complete at the next event after the start tag (text, a record, or the root's end).
  private rootTag: SaxesStartTagPlain | undefined;
  private rootClosed = false;
  private recordStart = 0;
  private recordLine = 0;
  private values: FieldTexts = emptyTexts();
  private extra: FieldTexts | null = null;
  // The open field: its element's name, where its text goes, and the text so far.
  private fieldName = '';
  private fieldKey = '';
  private fieldTarget: FieldTexts = this.values;
  private fieldText = '';
  // Position of the next field in the open record, and the slots of earlier records' fields by position.
  private fieldIndex = 0;
  private readonly slots: ChildSlot[] = [];
  // Stream position of the last root start or record end: bounds the text outside records.
  private lastMark = 0;

  constructor(
    layout: XmlLayout,
    private readonly file: string,
    private readonly fieldOf: ReadonlyMap<string, string> | null,
  ) {
    this.root = layout.root;
    this.record = layout.record;
    // Enough of the stream's tail to find the `<` of a root or record tag whose name is still arriving.
    this.keep = Math.max(this.root.length, this.record.length) + 2;
    // Five handlers (seven at most): saxes adds each handler as a new property of the parser, and from the
    // eighth on V8 turns the parser into a dictionary-mode object, which made parsing ~4x slower
    // (measured with bench/xml-parse.ts). So no `doctype` handler (xml-guard refuses a DOCTYPE before
    // saxes sees one), no `xmldecl` handler (the declaration is checked when the root opens) and no
    // `opentag` handler, called for every field only to wait for the root's attributes (see rootTag).
    const p = this.parser;
    p.on('opentagstart', (tag) => this.onOpenTagStart(tag));
    p.on('text', (text) => this.onText(text, 'text'));
    p.on('cdata', (text) => this.onText(text, 'CDATA'));
    p.on('closetag', () => this.onCloseTag());
    p.on('error', (err) => {
      let what = err.message.replace(/^\d+:\d+: /, '');
      if (what.startsWith('unexpected close tag')) {
        // saxes has already popped the open element and told us (onCloseTag) before checking the name.
        what = `${what} expected </${[this.root, this.record, this.fieldName][this.depth] ?? '?'}>`;
        const last = this.out.at(-1);
        if (last?.kind === 'record' && this.parser.position === this.lastMark) this.out.pop();
      }
      throw this.malformed(this.parser.line, what, err);
    });
  }

  /** Runs one step; returns the events it produced and the error it ended with, if any. */
  run(step: () => void): { events: (XmlRootEvent | XmlRecord)[]; error: DcassError | undefined } {
    let error: DcassError | undefined;
    try {
      step();
    } catch (err) {
      error = this.wrap(err);
    }
    const events = this.out;
    this.out = [];
    return { events, error };
  }

  push(chunk: string): void {
    const hit = this.guard.scan(chunk);
    if (hit !== undefined) {
      // Parse up to the offending text so the parser's line count points at it, then refuse.
      const before = chunk.slice(0, Math.max(0, hit.index));
      this.feed(before);
      const line = this.parser.line + (before.endsWith('\r') ? 1 : 0);
      throw this.guardError(hit, line);
    }
    this.feed(chunk);
    this.trim();
  }

  finish(): void {
    if (this.depth > 0) {
      throw this.malformed(
        this.parser.line,
        `the document ends inside <${this.openName()}>; expected </${this.innermost()}> and the rest of the report (the file is probably truncated)`,
      );
    }
    if (!this.rootClosed) {
      throw this.malformed(this.parser.line, `no <${this.root}> element found; expected a DCASS XML report`);
    }
    this.parser.close();
  }

  private feed(text: string): void {
    if (text.length === 0) return;
    this.buf += text;
    this.parser.write(text);
  }

  /** Drops stream text no longer needed, and enforces the size caps. */
  private trim(): void {
    let cut: number;
    if (this.depth >= IN_RECORD) {
      const size = this.bufOffset + this.buf.length - this.recordStart;
      if (size > MAX_XML_UNIT_CHARS) {
        throw this.malformed(
          this.recordLine,
          `<${this.record}> is over ${MAX_XML_UNIT_CHARS} characters long without its </${this.record}>; DCASS records are under 1 KiB`,
        );
      }
      cut = this.recordStart - this.bufOffset;
    } else {
      if (this.parser.position - this.lastMark > MAX_XML_UNIT_CHARS) {
        throw this.malformed(
          this.parser.line,
          `over ${MAX_XML_UNIT_CHARS} characters without a <${this.record}> element`,
        );
      }
      cut = Math.max(0, this.buf.length - this.keep);
    }
    if (cut > 0) {
      this.buf = this.buf.slice(cut);
      this.bufOffset += cut;
    }
  }

  /**
   * Line of the `<` of the tag whose name was just read. saxes reports the name after reading the
   * character that ends it; a name cannot span lines, so only that character can be a line end.
   */
  private tagLine(): number {
    const c = this.buf.charCodeAt(this.parser.position - this.bufOffset - 1);
    return c === 0x0a || c === 0x0d ? this.parser.line - 1 : this.parser.line;
  }

  private onOpenTagStart(tag: SaxesStartTagPlain): void {
    const name = tag.name;
    switch (this.depth) {
      case 0:
        if (this.rootClosed) {
          throw this.malformed(this.tagLine(), `a second root element <${name}> after </${this.root}>`);
        }
        if (name !== this.root) {
          throw this.malformed(this.tagLine(), `the root element is <${name}>, expected <${this.root}>`);
        }
        this.checkEncoding();
        this.rootLine = this.tagLine();
        this.rootTag = tag;
        break;
      case IN_ROOT: {
        if (this.rootTag !== undefined) this.emitRoot();
        if (name !== this.record) {
          throw this.malformed(
            this.tagLine(),
            `expected <${this.record}> or </${this.root}> inside <${this.root}>, got <${name}>`,
          );
        }
        const at = this.parser.position - this.bufOffset - 1;
        this.recordStart = this.bufOffset + this.buf.lastIndexOf('<', at);
        this.recordLine = this.tagLine();
        this.values = emptyTexts();
        this.extra = null;
        this.fieldIndex = 0;
        break;
      }
      case IN_RECORD: {
        // Records repeat their children in the same order: the slot of the previous record's child at
        // this position is nearly always the right one, and its strings, used as keys every record,
        // make the lookup and store below cheap (measured).
        const i = this.fieldIndex++;
        let slot = this.slots[i];
        if (slot === undefined || slot.element !== name) {
          slot = this.slotOf(name);
          if (i < 64) this.slots[i] = slot;
        }
        const target = slot.mapped ? this.values : (this.extra ??= emptyTexts());
        if (target[slot.key] !== undefined) {
          throw this.malformed(
            this.tagLine(),
            `<${name}> appears twice in the <${this.record}> that starts at line ${this.recordLine}`,
          );
        }
        this.fieldName = slot.element;
        this.fieldKey = slot.key;
        this.fieldTarget = target;
        this.fieldText = '';
        break;
      }
      default:
        throw this.malformed(
          this.tagLine(),
          `element <${name}> inside field <${this.fieldName}> of the <${this.record}> that starts at line ${this.recordLine}; fields of this layout hold text only`,
        );
    }
    this.depth++;
  }

  private slotOf(element: string): ChildSlot {
    if (this.fieldOf === null) return { element, key: element, mapped: true };
    const field = this.fieldOf.get(element);
    return field === undefined
      ? { element, key: element, mapped: false }
      : { element, key: field, mapped: true };
  }

  private emitRoot(): void {
    // saxes builds attribute maps with Object.create(null): no prototype to pollute.
    this.out.push({
      kind: 'root',
      attributes: this.rootTag?.attributes ?? Object.create(null),
      line: this.rootLine,
    });
    this.rootTag = undefined;
    this.lastMark = this.parser.position;
  }

  private onText(text: string, what: string): void {
    if (this.depth === IN_FIELD) {
      this.fieldText += text;
      return;
    }
    if (this.rootTag !== undefined) this.emitRoot();
    if (isBlank(text)) return;
    // saxes reports text when it ends; name the line where its first visible character is.
    const from = text.length - text.trimStart().length;
    let line = this.parser.line;
    for (let i = text.indexOf('\n', from); i !== -1; i = text.indexOf('\n', i + 1)) line--;
    const snippet = JSON.stringify(text.trim().slice(0, 40));
    if (this.depth === 0) {
      const where = this.rootClosed ? `after </${this.root}>` : `before <${this.root}>`;
      throw this.malformed(
        line,
        `${what} ${snippet} ${where}; expected nothing but the <${this.root}> element`,
      );
    }
    const expected = this.depth === IN_ROOT ? `<${this.record}> elements` : 'field elements';
    throw this.malformed(
      line,
      `${what} ${snippet} directly inside <${this.openName()}>; expected ${expected}`,
    );
  }

  private onCloseTag(): void {
    const depth = --this.depth;
    if (depth === IN_RECORD) {
      this.fieldTarget[this.fieldKey] = this.fieldText;
    } else if (depth === IN_ROOT) {
      const end = this.parser.position;
      this.out.push({
        kind: 'record',
        line: this.recordLine,
        values: this.values,
        extra: this.extra,
        raw: this.buf.slice(this.recordStart - this.bufOffset, end - this.bufOffset),
      });
      this.lastMark = end;
    } else if (depth === 0) {
      if (this.rootTag !== undefined) this.emitRoot();
      this.rootClosed = true;
    }
  }

  /** The XML declaration, if any, precedes the root (on line 1): check what encoding it declares. */
  private checkEncoding(): void {
    const enc = this.parser.xmlDecl.encoding;
    if (enc !== undefined && !/^utf-?8$/i.test(enc)) {
      throw new DcassError(
        'INGEST_ENCODING',
        `${this.file}:1: the XML declaration says encoding="${enc}", but DCASS XML reports are UTF-8 and this reader takes text decoded as UTF-8`,
        {
          location: { file: this.file, line: 1 },
          hint: 'Check that this is a DCASS report; if DCASS really changed the encoding, the XML profile and reader need updating.',
        },
      );
    }
  }

  /** The open elements as a path, e.g. `DcassReport>Trade>Qty`, for messages. */
  private openName(): string {
    return [this.root, this.record, this.fieldName].slice(0, this.depth).join('>');
  }

  private innermost(): string {
    return [this.root, this.record, this.fieldName][this.depth - 1] ?? this.root;
  }

  private guardError(hit: GuardHit, line: number): DcassError {
    if (hit.kind === 'REPLACEMENT_CHAR') {
      return new DcassError(
        'INGEST_ENCODING',
        `${this.file}:${line}: contains U+FFFD (the replacement character): bytes that were not valid UTF-8 were replaced while decoding`,
        {
          location: { file: this.file, line },
          hint: 'The file is damaged or not UTF-8: fetch it again, or check the encoding set in the profile.',
        },
      );
    }
    const what = hit.kind === 'DOCTYPE' ? 'a DOCTYPE declaration' : 'an ENTITY declaration';
    return this.forbidden(line, what);
  }

  private forbidden(line: number, what: string): DcassError {
    return new DcassError(
      'INGEST_XML_FORBIDDEN',
      `${this.file}:${line}: contains ${what}; DCASS reports never do and entity expansion is refused`,
      { location: { file: this.file, line }, hint: FORBIDDEN_HINT },
    );
  }

  private malformed(line: number, what: string, cause?: unknown): DcassError {
    const where =
      this.depth >= IN_RECORD ? ` (in the <${this.record}> that starts at line ${this.recordLine})` : '';
    return new DcassError(
      'INGEST_XML_MALFORMED',
      `${this.file}:${line}: not well-formed XML: ${what}${where}`,
      {
        location: { file: this.file, line },
        hint: MALFORMED_HINT,
        ...(cause === undefined ? {} : { cause }),
      },
    );
  }

  private wrap(err: unknown): DcassError {
    if (err instanceof DcassError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return this.malformed(this.parser.line, message, err);
  }
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}
