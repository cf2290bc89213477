import type { ColumnType, Generated } from 'kysely';
import type { Source } from '../../model/vocabulary.js';

/** A canonical trade from any source; decimals as strings. */
export interface TradeTable {
  id: Generated<string>;
  file_id: string;
  line_no: number;
  source: Source;
  participant: string;
  clearing_date: string;
  session: 'T' | 'A';
  series: string;
  root: string;
  instrument_type: 'F' | 'C' | 'P';
  expiry: string;
  strike: string | null;
  trade_no: string | null;
  deal_no: string | null;
  ref: string | null;
  account: string;
  client_code: string | null;
  side: 'B' | 'S';
  quantity: string;
  price: string;
  trade_type: string;
  orig_trade_no: string | null;
  exec_date: string | null;
  exec_at: Date | null;
  open_close: string | null;
  extra: ColumnType<Record<string, string> | null, string | null, string | null>;
}
