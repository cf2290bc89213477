/**
 * The words of the data, each list declared once: where records come from, what they are, the
 * platforms a date is cleared on, and what a reconciliation finds. Configuration, the database
 * types, the stages and the reports all take them from here.
 */

/** Where a file comes from: Genium INET backups, upgraded DCASS reports, the CP's back office. */
export const SOURCES = ['genium', 'dcass', 'bos'] as const;
export type Source = (typeof SOURCES)[number];

/**
 * What a reconciliation's side reads: a source, or `exchange`, the exchange's clearing system live on
 * the business date (the upgraded DCASS on its dates and on the last Genium day, whose positions and
 * trades it took over; Genium INET on its dates, again after a fallback).
 */
export const RULE_SOURCES = [...SOURCES, 'exchange'] as const;
export type RuleSource = (typeof RULE_SOURCES)[number];

/** What a loaded file holds (a profile reads one of them). */
export const ENTITIES = ['trades', 'positions', 'account_map'] as const;
export type Entity = (typeof ENTITIES)[number];

/** The entities a reconciliation compares; the account map only serves them. */
export const RECONCILED_ENTITIES = ['trades', 'positions'] as const;
export type ReconciledEntity = (typeof RECONCILED_ENTITIES)[number];

/** HKEX's derivatives clearing houses: HKCC clears futures and options, SEOCH clears stock options. */
export const CLEARING_HOUSES = ['HKCC', 'SEOCH'] as const;
export type ClearingHouse = (typeof CLEARING_HOUSES)[number];

/** The clearing platform serving a business date (the trading calendar's `platform`). */
export const PLATFORMS = ['genium', 'upgraded'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** The two sides of a reconciliation. */
export const SIDES = ['left', 'right'] as const;
export type Side = (typeof SIDES)[number];

/** What a break found: a record on one side only, a pair that differs, or a side's duplicates. */
export const BREAK_KINDS = [
  'only_left',
  'only_right',
  'mismatch',
  'duplicate_left',
  'duplicate_right',
] as const;
export type BreakKind = (typeof BREAK_KINDS)[number];

/** Where a break stands in the register. */
export const BREAK_STATUSES = ['open', 'explained', 'resolved', 'cleared'] as const;
export type BreakStatus = (typeof BREAK_STATUSES)[number];

/**
 * How a match pass treats records of one side sharing its key (rule file: `repeats:`). `duplicate`:
 * each record beyond the first is a duplicate break, never paired (right for a trade number, which
 * one trade carries once). `pair`: records sharing the key pair n-to-n with the other side's, in
 * record order; only a side's excess over the other's count is a duplicate (right for content,
 * where genuine identical fills exist).
 */
export const PASS_REPEATS = ['duplicate', 'pair'] as const;
export type PassRepeats = (typeof PASS_REPEATS)[number];

/**
 * The field a duplicate break of a `repeats: pair` pass lists among its fields: how many records
 * with the pass's key each side holds (left and right, decimal strings), so the excess shows why.
 */
export const REPEAT_COUNT_FIELD = 'records with this key';
/** What the count field entry gives as its comparator: the pass paired those records n-to-n. */
export const REPEAT_COUNT_COMPARATOR = 'paired n-to-n';

/**
 * The three-way view of a break (triangulation): where Genium, DCASS and BOS all speak to the same
 * account and instrument or trade on a date, whether all three agree, which one source disagrees with
 * the other two (`odd-genium`, `odd-dcass`, `odd-bos`), or that all three differ. `intransitive`:
 * two pairs agree and the third does not, which a comparator with a tolerance allows.
 * `mixed`: a break of several records whose records are not all in the same situation.
 */
export const TRIANGULATIONS = [
  'all-agree',
  'odd-genium',
  'odd-dcass',
  'odd-bos',
  'all-differ',
  'intransitive',
  'mixed',
] as const;
export type Triangulation = (typeof TRIANGULATIONS)[number];

/**
 * How a reconciliation side may expand its records before matching: `spreads`, each trade in a
 * combination series (a calendar spread, src/model/combination.ts) as its two leg trades.
 */
export const EXPANSIONS = ['spreads'] as const;
export type Expansion = (typeof EXPANSIONS)[number];

/**
 * Canonical trade types (profiles map each layout's codes to these): standard, give-up, take-up,
 * transfer, rectify, block, close-out, and a give-up or take-up the report marks as pending (not yet
 * confirmed by the other participant: the clearing house has not moved the position).
 */
export const TRADE_TYPES = ['STD', 'GUP', 'TUP', 'TRF', 'RCT', 'BLK', 'CLO', 'PGU', 'PTU'] as const;
export type TradeType = (typeof TRADE_TYPES)[number];

/**
 * Post-trade adjustments: deals added to a trade (never edits of it) that carry its number as the
 * original trade number. A reconciliation's `fold` nets them into the trade they adjust. Pending
 * ones are not among them: until confirmed they move nothing.
 */
export const ADJUSTMENT_TRADE_TYPES = [
  'GUP',
  'TUP',
  'TRF',
  'RCT',
  'CLO',
] as const satisfies readonly TradeType[];

/** A give-up's or take-up's status as a report gives it (a profile maps the layout's words to these). */
export const TRADE_STATUSES = ['pending', 'confirmed'] as const;
export type TradeStatus = (typeof TRADE_STATUSES)[number];

/** The trade type a give-up or take-up takes while its report says it is pending. */
export const PENDING_TRADE_TYPE: Readonly<Partial<Record<TradeType, TradeType>>> = { GUP: 'PGU', TUP: 'PTU' };

/**
 * A trade's open/close indicator (trade reports, gross accounts): `O` opens a position (a buy adds to
 * long, a sell to short), `C` closes one (a sell takes from long, a buy from short). A net account
 * keeps only the net, which a trade moves the same way either way.
 */
export const OPEN_CLOSE = ['O', 'C'] as const;
export type OpenClose = (typeof OPEN_CLOSE)[number];
/**
 * The indicator of a closing trade. Any other value, or none, opens: an unmarked trade on a gross
 * account adds to long or short (assumed: DCASS's open/close default is open; a CP closes explicitly).
 */
export const CLOSING_TRADE: OpenClose = 'C';
