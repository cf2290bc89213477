import type { Generated } from 'kysely';

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
  platform: 'genium' | 'upgraded' | null;
  note: string | null;
}
