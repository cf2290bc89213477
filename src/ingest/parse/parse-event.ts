import type { Profile } from '../../config/profile.js';
import type { IssueCode } from '../../shared/issue.js';

/** Raw texts by canonical field name; no prototype, so hostile names cannot pollute one. */
export type FieldTexts = Record<string, string>;

/** A fresh prototype-free record of texts. */
export const emptyTexts = (): FieldTexts => Object.create(null) as FieldTexts;

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

/** One file format: turns decoded text into events; structural problems of the file throw DcassError. */
export interface RecordParser {
  parse(text: AsyncIterable<string>, profile: Profile, file: string): AsyncGenerator<ParseEvent>;
}
