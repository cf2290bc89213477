import type { Generated } from 'kysely';
import type { Platform } from '../../model/vocabulary.js';

/** BOS client code to DCASS account, effective from a date (versioned). */
export interface AccountMapTable {
  id: Generated<string>;
  file_id: string;
  line_no: number;
  client_code: string;
  dcass_account: string;
  account_type: 'NET' | 'GROSS';
  effective_from: string;
}

/** One day of the trading calendar. */
export interface CalendarTable {
  market: string;
  day: string;
  trading: boolean;
  after_hours: boolean;
  platform: Platform | null;
  note: string | null;
}
