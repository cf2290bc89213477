/** Renders fixtures/README.md from the compiled scenario, so file:line references cannot go stale. */
import type { CompiledTrade, FixtureSet, Loc } from './fixtures.js';
import {
  ACCOUNT_MAP,
  ACCOUNTS,
  BREAKS,
  BUSINESS_DATES,
  FALLBACK_DATE,
  OPENING,
  SERIES,
  SPREAD_BOOKINGS,
} from './scenario.js';
import { hkIso, isoDate } from './format.js';
import { DCASS_TRADE_TYPE } from './model.js';

const locs = (l: readonly Loc[] | undefined): string =>
  (l ?? []).map((x) => `\`${x.file}:${x.line}\``).join(', ');

function describe(path: string, bytes: Buffer): string {
  const lines = bytes.toString('latin1').split('\n').length - 1;
  if (path === 'README.md') return 'this file (generated)';
  const day = path.includes(FALLBACK_DATE) ? '14 May (the fallback day)' : '3 May';
  if (path.startsWith('genium/TRD'))
    return `Genium TRD001 backup, fixed width, ASCII, CRLF; trades clearing ${day} with Genium numbers (${lines} records incl. H and T)`;
  if (path.startsWith('genium/POS'))
    return `Genium POS001 backup, fixed width, ASCII, CRLF; final positions of ${day} (${lines} records incl. H and T)`;
  if (path.includes('_1300.xml'))
    return 'upgraded TRD001 intraday batch of 6 May 13:00 (cumulative, superseded by `_2310`), XML, UTF-8, LF';
  if (path.startsWith('dcass/20190503'))
    return `upgraded ${path.includes('TRD') ? 'TRD001' : 'POS001'} of 3 May (migrated data; DCASS Online export taken Sun 5 May 08:30), XML, UTF-8, LF`;
  if (path.endsWith('.xml'))
    return `upgraded ${path.includes('TRD') ? 'TRD001' : 'POS001'} day end, XML, UTF-8, LF`;
  if (path === 'dcass/20190510/TRD001_CABC_20190510_2310.csv')
    return 'upgraded TRD001 day end, CSV, UTF-8, CRLF; **layout drift: extra `venue` and `trade_status` columns at the right** (`trade_status` is PENDING on the B6 give-up, empty elsewhere)';
  if (path.startsWith('dcass/'))
    return `upgraded ${path.includes('TRD') ? 'TRD001' : 'POS001'} day end, CSV, UTF-8, CRLF`;
  if (path.includes('ACCOUNT_MAP')) return 'account map, UTF-8 (no BOM), CRLF';
  if (path.includes('BOS_TRADES')) {
    const blank = path.endsWith('20190510.csv') ? '; **two blank lines at the end**' : '';
    return `BOS trades by execution date, UTF-8 **with BOM**, CRLF, thousands separators, DD/MM/YYYY${blank}`;
  }
  if (path.endsWith('BOS_POSITIONS_CABC_20190503.csv')) return 'BOS client positions, UTF-8 with BOM, CRLF';
  if (path.endsWith('BOS_POSITIONS_CABC_20190506.csv'))
    return 'BOS client positions, UTF-8 without BOM, CRLF';
  if (path.endsWith('BOS_POSITIONS_CABC_20190507.csv'))
    return 'BOS client positions, UTF-8 without BOM, **LF** line ends';
  if (path.endsWith(`BOS_POSITIONS_CABC_${FALLBACK_DATE}.csv`))
    return 'BOS client positions of the fallback day, UTF-8 without BOM, CRLF';
  if (path.endsWith('BOS_POSITIONS_CABC_20190510.big5.csv'))
    return 'BOS client positions, **Big5**, CRLF, **extra `Remarks` column** in Traditional Chinese (one quoted because it holds a comma), one blank line at the end';
  return '';
}

function tradeLine(c: CompiledTrade): string {
  const s = c.spec;
  const type = s.type ?? 'ST';
  const orig = c.origTradeNo === null ? '' : String(c.origTradeNo);
  return `| ${s.id} | ${hkIso(c.execDate, c.execTime)} | ${isoDate(c.clearingDate)} | ${c.session} | ${s.account} | ${s.side} ${s.qty} ${s.series} @ ${s.price} | ${type}/${DCASS_TRADE_TYPE[type]} | ${orig} | ${c.tradeNo} | ${c.geniumTradeNo ?? ''} | ${s.note ?? ''} |`;
}

/** The whole README text. */
export function renderReadme(set: FixtureSet): string {
  const files = [...set.files.keys()].filter((p) => p !== 'README.md').sort();
  const special = set.trades.filter(
    (c) =>
      c.spec.note !== undefined ||
      c.session === 'A' ||
      c.spec.alloc !== undefined ||
      c.spec.bosWithoutTradeNo,
  );
  const out: string[] = [];
  out.push(`# Fixtures: participant CABC, 3 to 14 May 2019

**Generated; do not edit by hand.** The source of truth is the hand-written scenario
\`scripts/generate/scenario.ts\` (accounts, series, opening positions, every trade, every deliberate break);
\`scripts/generate/fixtures.ts\` derives clearing dates, sessions, trade numbers, open/close flags and
positions from it and writes every file below, this README included. Regenerate with

\`\`\`
npx tsx scripts/generate/main.ts --fixtures fixtures
\`\`\`

\`test/unit/generator.test.ts\` checks that the committed files equal what the scenario generates.

## Dates and calendar
- Hong Kong 2019 calendar: weekends closed, 1 May and 13 May are holidays.
- Business dates with files: **Fri 3 May** (last Genium day), **Mon 6 May** (first upgraded day), **Tue 7 May**,
  **Fri 10 May**. 8 and 9 May are trading days but are **left out of the set**: the scenario has CABC do
  no trading that clears on them (no trades on 8 or 9 May, no after-hours trades on the evenings of 7, 8 or 9 May),
  so positions of 10 May = positions of 7 May + trades clearing 10 May.
- After-hours (T+1) session: 17:15 on trading day T to 03:00 the next calendar day; it clears on the next
  trading day. Friday 3 May evening clears Mon 6 May (on the upgraded platform); Friday 10 May evening clears
  **Tue 14 May**, for which the set has no DCASS files.
- **Tue 14 May is the fallback day**: HKEX falls back to Genium INET from its T session (see "The fallback day"
  below). The set holds its Genium backups (\`genium/*_20190514.lis\`) and BOS files, and no upgraded DCASS file.
- The BOS stamps the **execution** date: \`BOS_TRADES_CABC_<date>.csv\` holds the trades executed on that calendar
  date (evening trades sit one trading day before their clearing date; after-midnight trades sit on their clearing date).
- Genium and upgraded trade (and deal) numbers differ for the same 3 May trades: numbers do not carry across the
  seam, content does. BOS \`Exch Trade No\` holds the Genium number for trades executed on Genium (up to the
  Friday-night session of 3 May, and on the fallback day) and the upgraded number in between (blank where the
  BOS did not capture it).
- Exercise: on 10 May the market maker (MM01, DCASS M01) exercises 15 TCH340.00E9 calls (TCH options are American).
  The DCASS position report of 10 May shows long 1300 and exercised 15 (the exercise already out of long); the BOS
  books the net 1300. No break: positions-rollforward takes the exercised 15 off the rolled-forward long (125 + 1200
  - 10 - 15 = 1300), and positions-bos compares long, short and net, not the exercised figure, which the BOS export
  does not carry. Without the exercised 15 in the report, the roll-forward would break on M01 TCH340.00E9 (1315
  against 1300). Assigned is 0 everywhere. Flat positions (long = short = 0) are not listed.
- Open/close: \`O\`/\`C\` on the gross account O01; blank (\`<OpenClose/>\`, empty CSV field, space in Genium) on net accounts.

## Files
| file | what |
|---|---|`);
  for (const f of files) out.push(`| \`${f}\` | ${describe(f, set.files.get(f) ?? Buffer.alloc(0))} |`);
  out.push(`
Record lengths in the Genium files (without CRLF): header 36, trade detail 109, position detail 73, trailer 28.
XML files put one \`<Trade>\`/\`<Position>\` element per line: line 1 is the XML declaration, line 2 the root
element, records start on line 3. CSV files have their header on line 1.

## Accounts and clients
| BOS client | DCASS account | type | effective from | account kind |
|---|---|---|---|---|`);
  for (const m of ACCOUNT_MAP)
    out.push(
      `| ${m.clientCode} | ${m.dcassAccount} | ${m.accountType} | ${m.effectiveFrom} | ${ACCOUNTS.find((a) => a.id === m.dcassAccount)?.label ?? ''} |`,
    );
  out.push(`
House (HOUSE -> H01), market maker (MM01 -> M01) and the individual client (C0007 -> I0007) map one to one and keep
net positions. The omnibus account O01 is gross (long and short kept apart) and is fed by clients C1001, C1002 and
C1003; C1003 is mapped from 6 May only (the account map is versioned by \`effective_from\`).

## Series
| series | root | type | expiry | strike | contract size |
|---|---|---|---|---|---|`);
  for (const s of SERIES)
    out.push(`| ${s.name} | ${s.root} | ${s.type} | ${s.expiry} | ${s.strike ?? ''} | ${s.contractSize} |`);
  out.push(`
## Opening positions (as of 2 May, before the set)
| client | series | net |
|---|---|---|`);
  for (const o of OPENING) out.push(`| ${o.client} | ${o.series} | ${o.net} |`);
  out.push(`
## Special trades
After-hours trades, give-up / take-up, transfer, omnibus allocations and trades whose BOS row has no exchange
trade number. Session \`A\` = after-hours (DCASS \`T1\`).

| id | executed | clears | session | account | trade | type | orig trade no | DCASS no | Genium no | note |
|---|---|---|---|---|---|---|---|---|---|---|`);
  for (const c of special) out.push(tradeLine(c));
  out.push(`
Where they are:

| id | files and lines |
|---|---|`);
  for (const c of special) out.push(`| ${c.spec.id} | ${locs(set.where.get(c.spec.id))} |`);
  out.push(`
### Omnibus allocations (BOS rows summing to one DCASS trade on O01)
| id | DCASS trade | BOS allocations |
|---|---|---|`);
  for (const c of set.trades.filter((x) => x.spec.alloc)) {
    const a = Object.entries(c.spec.alloc ?? {})
      .map(([k, v]) => `${k} ${v}`)
      .join(' + ');
    out.push(`| ${c.spec.id} | ${c.spec.side} ${c.spec.qty} ${c.spec.series} (no ${c.tradeNo}) | ${a} |`);
  }
  out.push(`
### Calendar spreads booked as one row (one BOS row for two DCASS leg trades)
| id | DCASS legs | BOS booking | where | note |
|---|---|---|---|---|`);
  for (const b of SPREAD_BOOKINGS) {
    const leg = (id: string): string => {
      const c = set.trades.find((x) => x.spec.id === id);
      return c ? `${c.spec.side} ${c.spec.qty} ${c.spec.series} @ ${c.spec.price} (no ${c.tradeNo})` : id;
    };
    out.push(
      `| ${b.id} | ${leg(b.near)} + ${leg(b.far)} | ${b.series} @ ${b.price} | ${locs(set.where.get(b.id))} | ${b.note} |`,
    );
  }
  out.push(`
## Deliberate breaks
Everything not listed here reconciles. Left = upgraded DCASS (or Genium for the seam), right = BOS (or upgraded for the seam).

| id | where | should produce | why |
|---|---|---|---|`);
  for (const b of BREAKS)
    out.push(`| ${b.id} | ${locs(set.breakWhere.get(b.id))} | ${b.expect} | ${b.why} |`);
  out.push(`
Notes on the breaks:
- B2 (missing) and B6 (pending give-up) have no BOS row; their location is the DCASS record.
- B5: the rejected row is the \`BOS_TRADES_CABC_20190507.csv\` line listed (field \`Trade Date\`, value \`31/04/2019\`);
  every other row of that file loads.
- B7: the two BOS lines listed are identical (same \`Trade Ref\`); the DCASS trade matches one of them.
- B7 is one duplicate_right break for the repeat (line 21): the first booking of the reference (line 18) stays
  in the allocation and matches the DCASS trade, so the repeat can neither inflate the sum nor pass unseen.
- B6 is pending because its report says so: the 10 May TRD001 CSV carries \`trade_status\` PENDING on the GUP
  (a give-up with no status counts as confirmed and folds into its original trade). A pending give-up is not
  folded: trades-bos reports the GUP as only_left, explained by rule (pending give-up), and the original trade
  T10-05 matches the BOS booking. positions-rollforward leaves pending give-ups out (they have not moved the
  position), so on 10 May H01 MHIK9 rolls forward to the net 4 DCASS reports and B6 is no break there.
  positions-rollforward also explains by rule the flat positions (I0007 HSIK9 on 7 May, M01 HSIM9 on 10 May)
  that the trades closed out and no position row lists.
- The demo verifies 10 May twice: first with \`BOS_TRADES_CABC_20190510.csv\` held back (the back office's
  export arriving late), where trades-bos is reported incomplete with \`bos-trades\` missing and none of its
  breaks is found or cleared (B6 and B7 do not appear yet), then again once the file is loaded.
- \`dcass-recon expected --date 2019-05-08\` (or 9 May) lists every DCASS and BOS input as missing: the set has
  no files for those trading days, so a run of them reconciles nothing and clears nothing.
- There is no data for 8 and 9 May: the roll-forward of 10 May starts from the 7 May positions with the trades
  cleared since, so the gap shows rather than hides.
- The 10 May Friday-night trades (A10-01, A10-02) are in BOS 10 May but clear 14 May: a BOS clearing date derived from
  execution date and time puts them outside 10 May, so they are **not** breaks for 10 May.
- The Friday-night trade A03-01 is in BOS 3 May with its Genium number and in DCASS 6 May with an upgraded number:
  it matches by content (pass 2) on 6 May, not by number.
- BOS positions are taken from the BOS position keeper, not rebuilt from the BOS trade rows, so the trade breaks
  above do not show up again as position breaks.

## Post-trade events that give no break
Each of these is booked differently by DCASS and the BOS, or looks like a repeat, and must reconcile:
- **Partial give-up (T07-19, T07-20), no break.** H01 bought 5 HSIK9 for another CP's client and gave 2 of them
  up (GUP S 2 carrying T07-19's trade number; no \`trade_status\`, so confirmed). The BOS books only the net,
  BUY 3 on T07-19's exchange trade number, and no give-up row. trades-bos folds the GUP into T07-19 (5 - 2 = 3)
  and pairs it with the BOS row by trade number; the pending-give-up rule does not fire (the GUP is not
  pending). positions-rollforward counts the GUP (a confirmed give-up moved the 2 out of H01).
- **Its take-up** is the receiving CP's record, in that CP's files, not CABC's. CABC's own receiving side is
  shown by the **partial take-up T07-21, no break**: another CP gave up 2 of its buy of 5 (its trade 2046130)
  to CABC for client C0007; DCASS lists a TUP B 2 on I0007 carrying that CP's trade number, the BOS books it
  as a plain BUY 2 under the take-up's own exchange trade number. Its original trade is not in CABC's report,
  so there is nothing to fold it into: it is matched as a trade, by number. (T07-10 is a full take-up.)
- **Calendar spread S07-01, no break.** DCASS clears the legs T07-22 (S 3 HSIK9 @ 29280) and T07-23
  (B 3 HSIM9 @ 29330); the BOS books one row, \`HSI F 2019-05/2019-06 BUY 3 @ 50.00\` with no exchange trade
  number. trades-bos expands the booking into its legs (near leg S 3 HSIK9 priced as the DCASS near leg,
  far leg B 3 HSIM9 at that price plus 50 = 29330) and both legs pair by content. H01 also sold 3 HSIK9 at
  09:15 (T07-01): the near leg is priced from T07-22, whose far-leg partner is exactly 50 higher.
- **Identical fills T03-19 and T03-20, no break.** Two genuine fills with the same account, series, side,
  quantity, price and second (M01 BUY 2 HSI28000E9 @ 2080 at 16:27:15), in Genium, DCASS and the BOS, each
  under its own trade number. Genium, upgraded and BOS numbers differ on 3 May, so both trades-seam and
  trades-bos pair them in the content pass, two with two (\`repeats: pair\`): no duplicate break on either side.

## The fallback day (14 May)
HKEX falls back to Genium INET from the T session of Tuesday 14 May (13 May is a holiday). After
\`dcass-recon calendar fallback 2019-05-14 --reason ...\`, 14 May is a Genium date: its expected inputs are the
Genium backups and the BOS files (no DCASS file), and trades-bos and positions-bos compare the BOS with
Genium INET (\`source: exchange\`); the seam and the roll-forward do not run on it.
- \`genium/TRD001_CABC_20190514.lis\` holds the trades clearing 14 May under Genium numbers from 86001: the two
  Friday-night trades of 10 May (A10-01, A10-02, executed on the upgraded platform, so the BOS of 10 May carries
  their upgraded numbers 1002001 and 1002002) and the four trades of 14 May (T14-01 to T14-04, whose BOS rows
  carry the Genium numbers). \`genium/POS001_CABC_20190514.lis\` holds the positions after them.
- **No break**: A10-01 and A10-02 pair by content (pass 2), as A03-01 does across the seam; the 14 May trades
  pair by number; the Genium positions equal the BOS positions of 14 May. Without the fallback recorded,
  14 May is an upgraded date with no DCASS report: the files load, \`dcass-recon expected --date 2019-05-14\`
  lists the DCASS inputs as missing, a run of it reports trades-bos, positions-bos and the roll-forward
  incomplete, and no default reconciliation reads the 14 May Genium backups.
- The demo writes the re-input list of the fallback (\`reinput --fallback 2019-05-14\`: the give-ups, take-ups
  and transfers of 6 to 10 May, T07-20 and T07-21 included) before recording it, then records the fallback
  and verifies 14 May against Genium INET.

## Expected upgraded DCASS positions
| date | account | series | long | short |
|---|---|---|---|---|`);
  for (const d of BUSINESS_DATES)
    for (const p of set.positions.get(d) ?? [])
      out.push(`| ${isoDate(d)} | ${p.account} | ${p.series} | ${p.long} | ${p.short} |`);
  out.push(`
## Expected Genium INET positions of the fallback day
| date | account | series | long | short |
|---|---|---|---|---|`);
  for (const p of set.positions.get(FALLBACK_DATE) ?? [])
    out.push(`| ${isoDate(FALLBACK_DATE)} | ${p.account} | ${p.series} | ${p.long} | ${p.short} |`);
  out.push(`
## Larger data sets (benchmarks)
\`scripts/generate/main.ts\` also writes seeded synthetic data of any size, streamed to disk with backpressure
(memory stays flat), in every layout above plus a plain CSV baseline for \`psql \\copy\`:

\`\`\`
npx tsx scripts/generate/main.ts --layout <genium-trd|genium-pos|dcass-trd-xml|dcass-trd-csv|dcass-pos-xml|dcass-pos-csv|bos-trd|bos-pos|plain-trd-csv|all> \\
    --rows N --seed S --date YYYYMMDD --out DIR [--participant CABC] [--diff-rate 0.0015] [--variant]
\`\`\`

Row i is a pure function of (seed, date, i), so every layout of one seed holds the same canonical trades (or
positions), and the same seed gives identical bytes. \`--variant\` writes the slightly different copy: of the rows,
diff-rate/4 each are dropped (only in the base copy: only_left), get an extra inserted row next to them (only in
the variant: only_right), get quantity + 1, or get price + 1 tick (positions: quantity + 1 instead). Write the base
copy into one folder and the variant into another; stdout prints a JSON summary with the injected counts.
Synthetic accounts are all NET (\`A0000001\`..., BOS client \`K0000001\`... one to one; \`--layout all\` also writes
the account map); the synthetic BOS trades file holds the trades **clearing** on the date (a benchmark
simplification: after-hours rows carry the previous trading day as Trade Date). Calendar: HK 2019 holidays; other
years know weekends only.
`);
  return out.join('\n');
}
