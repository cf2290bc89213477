/** Canonical records shared by the hand-written scenario and the synthetic generator. */

/** Side of a trade. */
export type Side = 'B' | 'S';
/** Genium trade type codes; the upgraded DCASS codes are mapped from these (see DCASS_TRADE_TYPE). */
export type TradeType = 'ST' | 'GU' | 'TU' | 'TR' | 'BL' | 'CL';
/** `T` day session, `A` after-hours (T+1) session. */
export type Session = 'T' | 'A';
/** Open/close flag; a space when the source does not say. */
export type OpenClose = 'O' | 'C' | ' ';

/** One trade (one side of a deal) in canonical form. Prices are exact decimal strings, never floats. */
export interface TradeRecord {
  /** Clearing date YYYYMMDD. */
  readonly clearingDate: string;
  readonly series: string;
  readonly tradeNo: number;
  readonly dealNo: number;
  readonly account: string;
  readonly side: Side;
  /** Contracts, a positive integer. */
  readonly qty: number;
  /** Plain decimal string, e.g. `28350` or `34.625`. */
  readonly price: string;
  readonly session: Session;
  readonly tradeType: TradeType;
  readonly origTradeNo: number | null;
  /** Calendar date of execution YYYYMMDD (Hong Kong time). */
  readonly execDate: string;
  /** HHMMSS, Hong Kong time. */
  readonly execTime: string;
  readonly openClose: OpenClose;
}

/** One position row (account x series) in canonical form. */
export interface PositionRecord {
  /** YYYYMMDD. */
  readonly positionDate: string;
  readonly account: string;
  readonly series: string;
  readonly long: number;
  readonly short: number;
  readonly exercised: number;
  readonly assigned: number;
}

/** The instrument behind an HKATS series name, as the BOS books it (fields, not a name). */
export interface SeriesInfo {
  readonly name: string;
  readonly root: string;
  readonly type: 'F' | 'C' | 'P';
  /** YYYY-MM */
  readonly expiry: string;
  /** Decimal string as the BOS prints it, or null for futures. */
  readonly strike: string | null;
  readonly contractSize: number;
}

/** Upgraded DCASS trade type codes for each Genium code. */
export const DCASS_TRADE_TYPE: Readonly<Record<TradeType, string>> = {
  ST: 'STD',
  GU: 'GUP',
  TU: 'TUP',
  TR: 'TRF',
  BL: 'BLK',
  CL: 'CLO',
};

/** Upgraded DCASS session codes for each Genium code. */
export const DCASS_SESSION: Readonly<Record<Session, string>> = { T: 'T', A: 'T1' };

/** A BOS trade row with every field already rendered as the BOS prints it. */
export interface BosTradeRow {
  readonly tradeRef: string;
  readonly clientCode: string;
  readonly product: string;
  readonly type: string;
  readonly expiry: string;
  readonly strike: string;
  readonly buySell: string;
  readonly quantity: string;
  readonly price: string;
  readonly tradeDate: string;
  readonly execTime: string;
  readonly exchTradeNo: string;
}

/** A BOS position row with every field already rendered; `remarks` only for files with that column. */
export interface BosPositionRow {
  readonly asOf: string;
  readonly clientCode: string;
  readonly product: string;
  readonly type: string;
  readonly expiry: string;
  readonly strike: string;
  readonly netQty: string;
  readonly remarks?: string;
}

/** Header and naming data of one report file. */
export interface FileMeta {
  readonly participant: string;
  /** Business date YYYYMMDD. */
  readonly businessDate: string;
  /** Generation time YYYYMMDDHHMMSS, Hong Kong time. */
  readonly generatedAt: string;
}
