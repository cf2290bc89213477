import type { Profile } from '../../config/profile.js';
import type { Issue, IssueCode } from '../../shared/issue.js';

/** Raw texts by canonical field name; no prototype, so hostile names cannot pollute one. */
export type FieldTexts = Record<string, string>;

/**
 * Prototype of every record made here: empty, frozen, itself without a prototype. Names from a file
 * can then only ever become own properties (`__proto__` and `constructor` included: there is no
 * `Object.prototype` in the chain, so no `__proto__` setter and nothing inherited). Unlike
 * `Object.create(null)`, whose objects V8 keeps in slow dictionary mode, objects made with this
 * prototype get fast properties: measured ~10% more XML records/s.
 */
const NO_PROTOTYPE: object = Object.freeze(Object.create(null) as object);

/** A fresh record keyed by names that may come from a file, safe from prototype pollution. */
export function emptyRecord<T>(): Record<string, T> {
  return Object.create(NO_PROTOTYPE) as Record<string, T>;
}

/** A fresh record of texts (see emptyRecord). */
export const emptyTexts = (): FieldTexts => emptyRecord<string>();

/** Where a field's text is in a record: the index of its value (CSV), or [start, length] in its text (1-based). */
export type TextPlace = number | readonly [number, number];

/**
 * A record's texts by field name, read from its values (CSV: `t["clientCode"] = r[3]`) or its text
 * (fixed width: `t["clientCode"] = r.slice(9, 17)`) by a function generated once per layout: each
 * field stored under a constant name, where stored by computed name in a loop every record paid a
 * keyed store per field (a CSV reading thread alone, medians of eight interleaved rounds on a slow
 * machine: BOS 6.9 -> 6.5 s and DCASS 6.2 -> 5.6 s of CPU per million rows; fixed width not
 * measured), and every texts object of a file gets one shape for the reader that reads it next. The
 * layout's field names are spliced in as JSON string literals, so any of them is only ever a property
 * key; the places are checked to be whole numbers; the record is made by emptyTexts.
 */
export function textsMaker<R extends string | readonly string[]>(
  places: readonly { readonly field: string; readonly at: TextPlace }[],
): (record: R) => FieldTexts {
  const index = (n: number): number => {
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`not a place in a record: ${n}`);
    return n;
  };
  const read = (at: TextPlace) =>
    typeof at === 'number' ? `r[${index(at)}]` : `r.slice(${index(at[0] - 1)}, ${index(at[0] - 1 + at[1])})`;
  const stores = places.map(({ field, at }) => `t[${JSON.stringify(field)}] = ${read(at)};`);
  const make = new Function(
    'emptyTexts',
    `return (r) => {\nconst t = emptyTexts();\n${stores.join('\n')}\nreturn t;\n};`,
  ) as (empty: typeof emptyTexts) => (record: R) => FieldTexts;
  return make(emptyTexts);
}

/** What a format parser yields, in file order. */
export type ParseEvent =
  | { readonly kind: 'header'; readonly line: number; readonly values: FieldTexts }
  | {
      readonly kind: 'record';
      readonly line: number;
      readonly values: FieldTexts;
      /** Columns or elements the profile does not map, kept as raw data. */
      readonly extra: FieldTexts | null;
      readonly raw: string;
      /**
       * What is wrong with the record as a whole (a fixed-width detail longer than its layout): it is
       * rejected, yet still one of the file's records for the control totals (trailer count, hash total).
       */
      readonly problem?: Issue;
    }
  | {
      readonly kind: 'reject';
      readonly line: number;
      readonly code: IssueCode;
      readonly message: string;
      readonly raw: string;
    }
  | {
      readonly kind: 'trailer';
      readonly line: number;
      readonly recordCount: string;
      readonly hashTotal: string | null;
    };

/** A profile's file format: fixed-width, csv or xml. */
export type FormatType = Profile['format']['type'];

/** A profile of one format, its `format` narrowed to that format's options. */
export type ProfileOf<T extends FormatType> = Omit<Profile, 'format'> & {
  readonly format: Extract<Profile['format'], { type: T }>;
};

/**
 * One file format: turns decoded text into events, in file order, handed over in runs of a few hundred
 * (one await per run: an async generator's await per record cost about 0.2 µs, a fifth of a second
 * for a million records); structural problems of the file throw DcassError, after the run of events
 * before them.
 */
export interface RecordParser<T extends FormatType> {
  parse(
    text: AsyncIterable<string>,
    profile: ProfileOf<T>,
    file: string,
  ): AsyncGenerator<readonly ParseEvent[]>;
}

/** A profile's parser, bound to the profile: decoded text and the file's name in, runs of events out. */
export type FileParser = (text: AsyncIterable<string>, file: string) => AsyncGenerator<readonly ParseEvent[]>;
