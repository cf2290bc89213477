/** A problem in one row of input data: recorded as a rejected row, never thrown. */
export interface Issue {
  readonly code: IssueCode;
  readonly message: string;
  readonly field?: string;
}

export type IssueCode =
  | 'MISSING_VALUE'
  | 'BAD_DATE'
  | 'BAD_TIME'
  | 'BAD_TIMESTAMP'
  | 'BAD_DECIMAL'
  | 'BAD_CODE'
  | 'BAD_SERIES'
  | 'BAD_INSTRUMENT'
  /** A position in a combination series (a calendar spread): only a combination's legs hold positions. */
  | 'COMBINATION_POSITION'
  | 'BAD_RECORD'
  /** A value holding an invisible format character (U+FEFF, U+200B...) that would silently change it. */
  | 'BAD_CHARACTER'
  | 'UNMAPPED_ACCOUNT'
  | 'AMBIGUOUS_ACCOUNT'
  | 'NOT_A_TRADING_DAY'
  | 'NO_AFTER_HOURS_SESSION'
  | 'OUTSIDE_TRADING_HOURS'
  | 'CALENDAR_GAP';
