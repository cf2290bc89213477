import type { CopyRow } from '../../db/copy.js';
import type { Source } from '../../model/vocabulary.js';
import type { Result } from '../../shared/result.js';
import type { FieldTexts } from '../parse/parse-event.js';
import type { AccountResolver } from './account-resolver.js';
import type { SessionTimes, TradingCalendar } from '../../model/calendar.js';
import type { ExecutionTimes } from './execution-times.js';
import type { FieldValue } from './field.js';

/** What normalising a record may need to know beyond the record itself. */
export interface NormaliseContext {
  readonly fileId: string;
  readonly source: Source;
  readonly participant: string;
  readonly businessDate: string | null;
  readonly calendar: TradingCalendar;
  readonly sessions: SessionTimes;
  readonly accounts: AccountResolver;
  /** The file's execution times, each converted and assigned a clearing date once. */
  readonly executions: ExecutionTimes;
}

/** Read field values of one record by canonical name (defaults already applied). */
export type RecordValues = Readonly<Record<string, FieldValue>>;

/** Turns read records of one entity into rows of its canonical table. */
export interface EntityNormaliser {
  readonly table: 'trade' | 'position' | 'account_map';
  readonly columns: readonly string[];
  toRow(values: RecordValues, extra: FieldTexts | null, line: number, ctx: NormaliseContext): Result<CopyRow>;
}
