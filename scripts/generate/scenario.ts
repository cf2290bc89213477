/**
 * The hand-written CABC scenario behind fixtures/: accounts, series, opening positions, every trade and
 * every deliberate break. fixtures.ts compiles it into the Genium, DCASS and BOS files, derives clearing
 * dates, sessions, trade numbers and positions, and writes fixtures/README.md from it.
 */
import type { Side, SeriesInfo, TradeType } from './model.js';
import type { AccountMapEntry } from './bos.js';

/** The participant of the fixture set. */
export const PARTICIPANT = 'CABC';

/** Business dates with files, in order. 3 May is the last Genium day; 8 and 9 May are left out. */
export const BUSINESS_DATES = ['20190503', '20190506', '20190507', '20190510'] as const;

/** The last business date of the Genium platform. */
export const GENIUM_DATE = '20190503';

/**
 * The fallback day: HKEX falls back to Genium INET from the T session of Tuesday 14 May (after the
 * 13 May holiday). The set holds its Genium backups and BOS files, but no upgraded DCASS files.
 */
export const FALLBACK_DATE = '20190514';

/** The day before the first business date: opening positions are as of this date. */
export const OPENING_DATE = '20190502';

/** Series used, in the order positions are listed. */
export const SERIES: readonly SeriesInfo[] = [
  { name: 'HSIK9', root: 'HSI', type: 'F', expiry: '2019-05', strike: null, contractSize: 50 },
  { name: 'HSIM9', root: 'HSI', type: 'F', expiry: '2019-06', strike: null, contractSize: 50 },
  { name: 'MHIK9', root: 'MHI', type: 'F', expiry: '2019-05', strike: null, contractSize: 10 },
  { name: 'HSI28000E9', root: 'HSI', type: 'C', expiry: '2019-05', strike: '28000', contractSize: 50 },
  { name: 'HSI27000Q9', root: 'HSI', type: 'P', expiry: '2019-05', strike: '27000', contractSize: 50 },
  { name: 'TCH340.00E9', root: 'TCH', type: 'C', expiry: '2019-05', strike: '340.00', contractSize: 100 },
];

/** DCASS accounts in listing order, with whether they keep net or gross positions. */
export const ACCOUNTS: readonly {
  readonly id: string;
  readonly kind: 'NET' | 'GROSS';
  readonly label: string;
}[] = [
  { id: 'H01', kind: 'NET', label: 'house' },
  { id: 'M01', kind: 'NET', label: 'market maker' },
  { id: 'I0007', kind: 'NET', label: 'individual client' },
  { id: 'O01', kind: 'GROSS', label: 'omnibus client' },
];

/** BOS client codes and the DCASS account each books to. C1003 is onboarded to the omnibus on 6 May. */
export const ACCOUNT_MAP: readonly AccountMapEntry[] = [
  { clientCode: 'HOUSE', dcassAccount: 'H01', accountType: 'NET', effectiveFrom: '2019-01-02' },
  { clientCode: 'MM01', dcassAccount: 'M01', accountType: 'NET', effectiveFrom: '2019-01-02' },
  { clientCode: 'C0007', dcassAccount: 'I0007', accountType: 'NET', effectiveFrom: '2019-01-02' },
  { clientCode: 'C1001', dcassAccount: 'O01', accountType: 'GROSS', effectiveFrom: '2019-01-02' },
  { clientCode: 'C1002', dcassAccount: 'O01', accountType: 'GROSS', effectiveFrom: '2019-01-02' },
  { clientCode: 'C1003', dcassAccount: 'O01', accountType: 'GROSS', effectiveFrom: '2019-05-06' },
];

/** Traditional Chinese remarks in the Big5 positions file of 10 May (one holds a comma, so it is quoted). */
export const BIG5_REMARKS: Readonly<Record<string, string>> = {
  HOUSE: '公司自營',
  MM01: '莊家戶口',
  C0007: '個人客戶 許先生',
  C1001: '綜合戶口',
  C1002: '綜合戶口,待覆核',
  C1003: '新客戶',
};

/** Opening net positions per BOS client (as of 2 May, before the first fixture date). */
export const OPENING: readonly { readonly client: string; readonly series: string; readonly net: number }[] =
  [
    { client: 'HOUSE', series: 'HSIK9', net: 12 },
    { client: 'HOUSE', series: 'HSIM9', net: -4 },
    { client: 'HOUSE', series: 'HSI28000E9', net: -10 },
    { client: 'MM01', series: 'HSIK9', net: -3 },
    { client: 'MM01', series: 'MHIK9', net: 25 },
    { client: 'MM01', series: 'HSI28000E9', net: 40 },
    { client: 'MM01', series: 'HSI27000Q9', net: -60 },
    { client: 'MM01', series: 'TCH340.00E9', net: 150 },
    { client: 'C0007', series: 'HSIK9', net: 2 },
    { client: 'C0007', series: 'HSI27000Q9', net: 10 },
    { client: 'C1001', series: 'HSIK9', net: 6 },
    { client: 'C1001', series: 'HSI28000E9', net: 4 },
    { client: 'C1002', series: 'HSIK9', net: -3 },
    { client: 'C1002', series: 'MHIK9', net: 8 },
  ];

/**
 * Exercises by a holder of long options (date YYYYMMDD, as POSITION_DATES): the quantity leaves the
 * client's long position on that date, and the day's DCASS position report shows it as exercised
 * (already taken out of long). TCH options are American (exercisable any day); the market maker
 * exercises 15 of its TCH340.00E9 calls on 10 May.
 */
export const EXERCISES: readonly {
  readonly date: string;
  readonly client: string;
  readonly series: string;
  readonly qty: number;
}[] = [{ date: '20190510', client: 'MM01', series: 'TCH340.00E9', qty: 15 }];

/** One trade of the scenario. Clearing date, session, numbers and open/close are derived. */
export interface ScenarioTrade {
  /** Stable label used in README and tests. */
  readonly id: string;
  /** Execution `YYYYMMDD HHMMSS`, Hong Kong time. */
  readonly exec: string;
  readonly series: string;
  readonly account: string;
  readonly side: Side;
  readonly qty: number;
  readonly price: string;
  /** Default `ST`. */
  readonly type?: TradeType;
  /** The original trade: a scenario id, or another participant's trade number (take-up). */
  readonly orig?: string | number;
  /** Shares the deal number of this scenario trade (both legs of a transfer). */
  readonly sameDealAs?: string;
  /** Omnibus (gross) account trades: BOS client -> quantity; must sum to `qty`. */
  readonly alloc?: Readonly<Record<string, number>>;
  /** The BOS did not capture the exchange trade number (blank `Exch Trade No`). */
  readonly bosWithoutTradeNo?: true;
  /** A give-up the receiving CP has not confirmed: DCASS lists it, positions stay with the giver. */
  readonly pending?: true;
  /** An adjustment the BOS books no row for: it books the net on the original trade's row instead. */
  readonly bosFolded?: true;
  /** Why the trade is special, for README. */
  readonly note?: string;
}

const t = (
  id: string,
  exec: string,
  series: string,
  account: string,
  side: Side,
  qty: number,
  price: string,
  more: Partial<Omit<ScenarioTrade, 'id' | 'exec' | 'series' | 'account' | 'side' | 'qty' | 'price'>> = {},
): ScenarioTrade => ({ id, exec, series, account, side, qty, price, ...more });

/** Every trade, in execution order within each day. */
export const TRADES: readonly ScenarioTrade[] = [
  // Friday 3 May 2019: last Genium business day (day session).
  t('T03-01', '20190503 091532', 'HSIK9', 'H01', 'B', 3, '30102'),
  t('T03-02', '20190503 091710', 'HSIK9', 'M01', 'S', 5, '30098'),
  t('T03-03', '20190503 092144', 'MHIK9', 'M01', 'S', 10, '30095'),
  t('T03-04', '20190503 093002', 'HSI28000E9', 'M01', 'S', 8, '2135'),
  t('T03-05', '20190503 094518', 'MHIK9', 'O01', 'B', 5, '30070', {
    alloc: { C1001: 2, C1002: 3 },
    note: 'omnibus: two clients',
  }),
  t('T03-06', '20190503 100251', 'HSI27000Q9', 'I0007', 'B', 5, '37'),
  t('T03-07', '20190503 101509', 'TCH340.00E9', 'M01', 'S', 30, '46.215'),
  t('T03-08', '20190503 104033', 'HSIM9', 'H01', 'B', 4, '29985', {
    note: 'flattens H01 HSIM9 (no position row afterwards)',
  }),
  t('T03-09', '20190503 110527', 'HSIK9', 'I0007', 'S', 2, '30040'),
  t('T03-10', '20190503 113240', 'HSI28000E9', 'O01', 'B', 2, '2098', { alloc: { C1001: 2 } }),
  t('T03-11', '20190503 130512', 'HSIK9', 'M01', 'B', 8, '30010'),
  t('T03-12', '20190503 134855', 'HSI27000Q9', 'M01', 'B', 20, '36'),
  t('T03-13', '20190503 142003', 'MHIK9', 'H01', 'S', 4, '29975'),
  t('T03-14', '20190503 145541', 'HSIK9', 'O01', 'S', 3, '29990', { alloc: { C1002: 3 } }),
  t('T03-15', '20190503 153018', 'TCH340.00E9', 'M01', 'B', 10, '45.87'),
  t('T03-16', '20190503 155802', 'HSIK9', 'H01', 'S', 5, '29960'),
  t('T03-17', '20190503 161044', 'HSI28000E9', 'H01', 'B', 4, '2062'),
  t('T03-18', '20190503 162530', 'HSIM9', 'M01', 'S', 6, '29870'),
  t('T03-19', '20190503 162715', 'HSI28000E9', 'M01', 'B', 2, '2080', {
    note: 'identical fills: T03-19 and T03-20 have the same account, series, side, quantity, price and second, in every source',
  }),
  t('T03-20', '20190503 162715', 'HSI28000E9', 'M01', 'B', 2, '2080', {
    note: 'identical fills: the second of the pair (see T03-19)',
  }),
  // Friday night 3 May (Genium T+1 session): clears Monday 6 May on the upgraded platform.
  t('A03-01', '20190503 210537', 'HSIK9', 'H01', 'B', 2, '29880', {
    note: 'Friday-night trade on Genium: BOS has it on 03/05 with the Genium trade number; it clears 6 May in the upgraded DCASS under a new number',
  }),

  // Monday 6 May 2019: first upgraded business day.
  t('T06-01', '20190506 091505', 'HSIK9', 'M01', 'S', 10, '29350'),
  t('T06-02', '20190506 091548', 'HSIK9', 'H01', 'S', 4, '29330'),
  t('T06-03', '20190506 092230', 'HSI27000Q9', 'I0007', 'S', 5, '88'),
  t('T06-04', '20190506 094011', 'HSIK9', 'O01', 'B', 10, '29290', {
    alloc: { C1001: 4, C1003: 6 },
    note: 'omnibus: two clients',
  }),
  t('T06-05', '20190506 095820', 'HSI28000E9', 'M01', 'B', 12, '1380'),
  t('T06-06', '20190506 101245', 'MHIK9', 'M01', 'B', 15, '29240'),
  t('T06-07', '20190506 103000', 'HSIK9', 'H01', 'B', 5, '29260', {
    note: "executed for another CP's client; given up by T06-08",
  }),
  t('T06-08', '20190506 110215', 'HSIK9', 'H01', 'S', 5, '29260', {
    type: 'GU',
    orig: 'T06-07',
    note: 'give-up of T06-07, confirmed by the receiving CP',
  }),
  t('T06-09', '20190506 104837', 'TCH340.00E9', 'M01', 'S', 20, '31.47'),
  t('T06-10', '20190506 111522', 'HSIM9', 'H01', 'S', 3, '29160'),
  t('T06-11', '20190506 114009', 'HSI28000E9', 'O01', 'B', 9, '1352', {
    alloc: { C1001: 3, C1002: 2, C1003: 4 },
    note: 'omnibus: three clients',
  }),
  t('T06-12', '20190506 130214', 'HSI27000Q9', 'M01', 'S', 15, '92'),
  t('T06-13', '20190506 133041', 'HSIK9', 'I0007', 'B', 3, '29215', {
    bosWithoutTradeNo: true,
    note: 'BOS did not capture the exchange trade number',
  }),
  t('T06-14', '20190506 140526', 'MHIK9', 'H01', 'B', 6, '29190'),
  t('T06-15', '20190506 143310', 'HSIK9', 'M01', 'B', 7, '29170'),
  t('T06-16', '20190506 151248', 'HSIM9', 'M01', 'B', 5, '29080'),
  t('T06-17', '20190506 154703', 'TCH340.00E9', 'M01', 'B', 25, '30.985'),
  t('T06-18', '20190506 161829', 'HSIK9', 'H01', 'S', 2, '29205'),
  // Monday evening 6 May and after midnight: clear Tuesday 7 May.
  t('A06-01', '20190506 193216', 'HSIK9', 'M01', 'S', 4, '29280', {
    note: 'after-hours, evening: BOS 06/05, clears 7 May',
  }),
  t('A06-02', '20190506 234851', 'MHIK9', 'I0007', 'B', 2, '29310', {
    note: 'after-hours, evening: BOS 06/05, clears 7 May',
  }),
  t('A06-03', '20190507 004527', 'HSIK9', 'H01', 'B', 3, '29335', {
    note: 'after-hours, after midnight: BOS 07/05, clears 7 May',
  }),

  // Tuesday 7 May 2019. No after-hours trading this evening (it would clear 8 May, outside the set).
  t('T07-01', '20190507 091520', 'HSIK9', 'H01', 'S', 3, '29420'),
  t('T07-02', '20190507 092641', 'HSI28000E9', 'M01', 'S', 10, '1475'),
  t('T07-03', '20190507 095005', 'TCH340.00E9', 'M01', 'S', 15, '34.625'),
  t('T07-04', '20190507 100533', 'HSIK9', 'O01', 'S', 5, '29400', {
    alloc: { C1001: 2, C1003: 3 },
    note: 'omnibus: two clients closing',
  }),
  t('T07-05', '20190507 102018', 'HSI27000Q9', 'I0007', 'B', 4, '80'),
  t('T07-06', '20190507 104452', 'HSIM9', 'M01', 'B', 2, '29300', {
    note: 'executed in M01 by mistake; moved to H01 by T07-07/T07-08',
  }),
  t('T07-07', '20190507 111000', 'HSIM9', 'M01', 'S', 2, '29300', {
    type: 'TR',
    orig: 'T07-06',
    note: 'transfer M01 -> H01 (out leg)',
  }),
  t('T07-08', '20190507 111000', 'HSIM9', 'H01', 'B', 2, '29300', {
    type: 'TR',
    orig: 'T07-06',
    sameDealAs: 'T07-07',
    note: 'transfer M01 -> H01 (in leg)',
  }),
  t('T07-09', '20190507 113514', 'HSIK9', 'M01', 'B', 12, '29385'),
  t('T07-10', '20190507 131537', 'HSI28000E9', 'O01', 'B', 3, '1440', {
    type: 'TU',
    orig: 2045517,
    alloc: { C1002: 3 },
    note: 'take-up from another CP (its trade 2045517) for omnibus client C1002',
  }),
  t('T07-11', '20190507 134022', 'MHIK9', 'M01', 'S', 8, '29350'),
  t('T07-12', '20190507 140209', 'HSIK9', 'H01', 'B', 4, '29330'),
  t('T07-13', '20190507 142551', 'HSI27000Q9', 'M01', 'B', 10, '78'),
  t('T07-14', '20190507 145830', 'HSI28000E9', 'H01', 'S', 2, '1455'),
  t('T07-15', '20190507 152216', 'TCH340.00E9', 'M01', 'B', 5, '34.95'),
  t('T07-16', '20190507 155040', 'HSIK9', 'I0007', 'S', 3, '29310'),
  t('T07-17', '20190507 161205', 'MHIK9', 'O01', 'S', 4, '29300', { alloc: { C1002: 4 } }),
  t('T07-18', '20190507 162847', 'HSIM9', 'M01', 'S', 3, '29215'),
  t('T07-19', '20190507 162901', 'HSIK9', 'H01', 'B', 5, '29300', {
    note: "executed for another CP's client; 2 of the 5 given up by T07-20; BOS books the net B 3 on this trade's number",
  }),
  t('T07-20', '20190507 162930', 'HSIK9', 'H01', 'S', 2, '29300', {
    type: 'GU',
    orig: 'T07-19',
    bosFolded: true,
    note: 'partial give-up of T07-19 (2 of 5), confirmed by the receiving CP; no BOS row of its own',
  }),
  t('T07-21', '20190507 162910', 'MHIK9', 'I0007', 'B', 2, '29320', {
    type: 'TU',
    orig: 2046130,
    note: "partial take-up: another CP gave up 2 of its B 5 (its trade 2046130) to CABC for client C0007; BOS books the 2 under the take-up's number",
  }),
  t('T07-22', '20190507 162920', 'HSIK9', 'H01', 'S', 3, '29280', {
    note: 'near leg of the calendar spread HSIK9/M9 bought 3 @ 50 (S07-01); the BOS books the spread as one row',
  }),
  t('T07-23', '20190507 162920', 'HSIM9', 'H01', 'B', 3, '29330', {
    note: 'far leg of the calendar spread HSIK9/M9 bought 3 @ 50 (S07-01)',
  }),

  // Friday 10 May 2019 (8 and 9 May: no CABC trading in this scenario).
  t('T10-01', '20190510 091511', 'HSIK9', 'M01', 'S', 6, '28610'),
  t('T10-02', '20190510 091845', 'HSIK9', 'H01', 'S', 5, '28590'),
  t('T10-03', '20190510 093520', 'HSI27000Q9', 'M01', 'S', 12, '162'),
  t('T10-04', '20190510 095207', 'HSI28000E9', 'O01', 'S', 4, '735', {
    alloc: { C1003: 4 },
    note: 'omnibus client C1003 closes out its call',
  }),
  t('T10-05', '20190510 101439', 'MHIK9', 'H01', 'B', 2, '28570', {
    note: "executed for another CP's client; give-up T10-06 still pending",
  }),
  t('T10-06', '20190510 105003', 'MHIK9', 'H01', 'S', 2, '28570', {
    type: 'GU',
    orig: 'T10-05',
    pending: true,
    note: 'pending give-up of T10-05',
  }),
  t('T10-07', '20190510 110726', 'TCH340.00E9', 'M01', 'B', 1200, '17.835', {
    note: 'quantity over 1,000: BOS prints "1,200"',
  }),
  t('T10-08', '20190510 113058', 'HSIK9', 'O01', 'B', 8, '28540', {
    alloc: { C1001: 3, C1003: 5 },
    note: 'omnibus: two clients',
  }),
  t('T10-09', '20190510 130544', 'HSIM9', 'H01', 'S', 4, '28470'),
  t('T10-10', '20190510 133319', 'HSIK9', 'I0007', 'B', 5, '28555'),
  t('T10-11', '20190510 140102', 'MHIK9', 'M01', 'B', 10, '28580', {
    bosWithoutTradeNo: true,
    note: 'BOS did not capture the exchange trade number',
  }),
  t('T10-12', '20190510 142637', 'HSI28000E9', 'M01', 'B', 6, '742'),
  t('T10-13', '20190510 144915', 'HSIK9', 'M01', 'B', 9, '28530'),
  t('T10-14', '20190510 151550', 'TCH340.00E9', 'M01', 'S', 10, '17.62'),
  t('T10-15', '20190510 154428', 'HSI27000Q9', 'I0007', 'S', 6, '155'),
  t('T10-16', '20190510 160811', 'HSIK9', 'H01', 'B', 3, '28520'),
  t('T10-17', '20190510 162754', 'HSIM9', 'M01', 'B', 4, '28450'),
  // Friday night 10 May: clears Tuesday 14 May (13 May is a holiday); in BOS 10 May only.
  t('A10-01', '20190510 182033', 'HSIK9', 'H01', 'S', 2, '28560', {
    note: 'Friday night: BOS 10/05, clears Tue 14 May (no DCASS file for 14 May in the set)',
  }),
  t('A10-02', '20190510 204105', 'HSI27000Q9', 'M01', 'B', 5, '148', {
    note: 'Friday night: BOS 10/05, clears Tue 14 May (no DCASS file for 14 May in the set)',
  }),

  // Tuesday 14 May 2019: the fallback day, traded and cleared on Genium INET again.
  t('T14-01', '20190514 093012', 'HSIK9', 'H01', 'B', 3, '28610', {
    note: 'fallback day: executed on Genium INET; BOS carries its Genium trade number',
  }),
  t('T14-02', '20190514 101540', 'HSIK9', 'O01', 'S', 3, '28650', { alloc: { C1001: 3 } }),
  t('T14-03', '20190514 110233', 'MHIK9', 'M01', 'S', 5, '28700'),
  t('T14-04', '20190514 140510', 'HSIK9', 'I0007', 'S', 2, '28580'),
];

/** A calendar spread the BOS books as one row; DCASS clears its two leg trades. */
export interface SpreadBooking {
  readonly id: string;
  /** The near-month leg (opposite side to the booking) and the far-month leg (the booking's side). */
  readonly near: string;
  readonly far: string;
  /** HKATS name of the combination, e.g. `HSIK9/M9`. */
  readonly series: string;
  /** Far leg price less near leg price, as the BOS books it. */
  readonly price: string;
  readonly note: string;
}

/** Spreads booked as one BOS row. */
export const SPREAD_BOOKINGS: readonly SpreadBooking[] = [
  {
    id: 'S07-01',
    near: 'T07-22',
    far: 'T07-23',
    series: 'HSIK9/M9',
    price: '50',
    note: 'H01 bought the May/June spread 3 @ 50: DCASS clears S 3 HSIK9 @ 29280 and B 3 HSIM9 @ 29330; the BOS books one row, HOUSE BUY 3 HSI F 2019-05/2019-06 @ 50.00',
  },
];

/** One deliberate break: what is wrong, why, and what the reconciliation should report. */
export type ScenarioBreak = { readonly id: string; readonly why: string; readonly expect: string } & (
  | { readonly kind: 'bos-missing'; readonly trade: string }
  | { readonly kind: 'bos-price'; readonly trade: string; readonly bosPrice: string }
  | { readonly kind: 'bos-qty'; readonly trade: string; readonly bosQty: number }
  | { readonly kind: 'bos-duplicate'; readonly trade: string }
  | { readonly kind: 'bos-bad-date'; readonly trade: string; readonly rawTradeDate: string }
  | { readonly kind: 'pending-give-up'; readonly trade: string }
  | {
      readonly kind: 'seam-position';
      readonly account: string;
      readonly series: string;
      readonly geniumLong: number;
    }
);

/** Every deliberate break. Everything not listed here reconciles. */
export const BREAKS: readonly ScenarioBreak[] = [
  {
    id: 'B1',
    kind: 'seam-position',
    account: 'M01',
    series: 'TCH340.00E9',
    geniumLong: 131,
    why: 'The Genium backup POS001 shows M01 TCH340.00E9 long 131; the upgraded 3 May position (and BOS, and the roll-forward) say 130.',
    expect: 'positions-seam: mismatch on long (left 131, right 130)',
  },
  {
    id: 'B2',
    kind: 'bos-missing',
    trade: 'T06-14',
    why: 'The BOS export of 6 May lost H01 BUY 6 MHIK9 @ 29190.',
    expect: 'trades-bos 2019-05-06: only_left (the DCASS trade)',
  },
  {
    id: 'B3',
    kind: 'bos-price',
    trade: 'T07-03',
    bosPrice: '34.624',
    why: 'BOS booked the TCH340.00E9 premium as 34.624; DCASS says 34.625 (third decimal).',
    expect: 'trades-bos 2019-05-07: mismatch on price (left 34.625, right 34.624)',
  },
  {
    id: 'B4',
    kind: 'bos-qty',
    trade: 'T07-05',
    bosQty: 5,
    why: 'BOS booked client C0007 (I0007) BUY 5 HSI27000Q9; DCASS has 4.',
    expect: 'trades-bos 2019-05-07: mismatch on quantity (left 4, right 5)',
  },
  {
    id: 'B5',
    kind: 'bos-bad-date',
    trade: 'T07-13',
    rawTradeDate: '31/04/2019',
    why: 'The BOS row for M01 BUY 10 HSI27000Q9 carries Trade Date 31/04/2019, which does not exist.',
    expect: 'rejected row (field Trade Date); then trades-bos 2019-05-07: only_left for the DCASS trade',
  },
  {
    id: 'B6',
    kind: 'pending-give-up',
    trade: 'T10-06',
    why: 'H01 gave up MHIK9 x2 (T10-05) to another CP that has not confirmed; DCASS lists the GUP with trade_status PENDING, the BOS has not booked it and positions stay with H01.',
    expect:
      'trades-bos 2019-05-10: only_left, explained as pending give-up; positions-rollforward leaves the pending GUP out, so no break on H01 MHIK9',
  },
  {
    id: 'B7',
    kind: 'bos-duplicate',
    trade: 'T10-17',
    why: 'The BOS export of 10 May repeats the M01 BUY 4 HSIM9 row at the end (same Trade Ref).',
    expect: 'trades-bos 2019-05-10: duplicate_right',
  },
];
