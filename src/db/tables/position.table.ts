import type { ColumnType, Generated } from 'kysely';
import type { Source } from '../../model/vocabulary.js';

/** A canonical position (long/short per account and instrument) from any source. */
export interface PositionTable {
  id: Generated<string>;
  file_id: string;
  line_no: number;
  source: Source;
  participant: string;
  position_date: string;
  account: string;
  client_code: string | null;
  series: string;
  root: string;
  instrument_type: 'F' | 'C' | 'P';
  expiry: string;
  strike: string | null;
  long_qty: string;
  short_qty: string;
  exercised_qty: string | null;
  assigned_qty: string | null;
  extra: ColumnType<Record<string, string> | null, string | null, string | null>;
}
