import { sql, type RawBuilder } from 'kysely';
import { isCombinationSql, legExpirySql, legSideSql, type CombinationLeg } from '../model/combination.js';
import { storedFields } from '../model/entities.js';
import type { Side } from '../model/vocabulary.js';

/**
 * A reconciliation side with `expand: spreads`: each trade in a combination series (a calendar spread
 * booked as one row, `HSIK9/M9`) is read as its two leg trades, kept in a working table of the trade
 * table's columns; the side's statements read its other trades and these legs (expandedRelation):
 *
 * - the near leg on the opposite side (buying the spread sells the near month), the far leg on the
 *   spread's side, both of the spread's quantity, account, times and series name as booked;
 * - the far leg keeps the record's id, the near leg carries it negated, so the two are two working
 *   rows, and every report still finds the record by the absolute id (as a rolled-forward side's
 *   trades are);
 * - prices: a booking holds one price, the far leg's less the near leg's, and no leg's own price. The
 *   near leg takes the price of the other side's near-leg trade it stands for (same account, root,
 *   month, opposite side; preferring one whose far-leg partner of the same quantity is priced exactly
 *   the spread price higher, then one of the same quantity, then the first), and the far leg that
 *   price plus the spread price. So the legs compare on quantity and side like any trade, and the far
 *   leg's price agrees with the other side's far leg exactly when the spread price is the legs' price
 *   difference: a wrong spread price is a break of the far leg, showing the far price it implies.
 *   With no near-leg trade to price against, both legs' prices are blank: they pair with nothing
 *   keyed on price and show as unmatched.
 * - the legs carry no exchange trade number (the booking's, if any, names one leg's trade at most:
 *   the legs pair by content) and the near leg no booking reference, so a `unique: [ref]` rule sees
 *   each booking once, on its far leg.
 *
 * The side's filters apply to the legs, as the side's statements read them.
 */

/** The working table holding an expanded side's records. */
export const EXPANDED_TABLE: Record<Side, string> = { left: 'rx_expanded_left', right: 'rx_expanded_right' };

/** What the expansion of one side reads: its records of the date, and the other side's. */
export interface ExpandedSide {
  readonly side: Side;
  /** The side's source and the entity table's date column with the business date. */
  readonly source: string;
  readonly businessDate: string;
  /** SQL true for a record (alias `r`, of the trade table) of the other side. */
  readonly otherWhere: RawBuilder<boolean>;
  /** The lookups otherWhere reads, joined to `r` (compile.ts lookupJoin). */
  readonly otherJoin: RawBuilder<unknown>;
}

/** The columns of the legs' working table: the record's id and file, and the trade table's stored columns. */
function expandedColumns(): string[] {
  return ['id', 'file_id', ...storedFields('trades').map((f) => f.column)];
}

/**
 * The records an expanded side reads, aliased `r` as the trade table would be: its trades in no
 * combination where they lie (a million BOS trades are not copied), and the spreads' legs (`legs`:
 * whether there are any; without, the trades alone, not through a UNION ALL with an empty table).
 * Conditions on `r` (the side's source, date and filters) reach both branches.
 */
export function expandedRelation(side: Side, legs: boolean): RawBuilder<unknown> {
  const columns = expandedColumns().join(', ');
  const trades = `SELECT ${columns} FROM trade t WHERE NOT ${isCombinationSql('t.expiry')}`;
  return sql.raw(
    legs ? `(${trades}\n    UNION ALL SELECT ${columns} FROM ${EXPANDED_TABLE[side]}) r` : `(${trades}) r`,
  );
}

/** The statements building an expanded side's legs (EXPANDED_TABLE), in order. */
export function expandSpreadsStatements(x: ExpandedSide): { label: string; query: RawBuilder<unknown> }[] {
  const table = sql.raw(EXPANDED_TABLE[x.side]);
  const columns = expandedColumns();
  const leg = (which: CombinationLeg) =>
    columns.map((c) => {
      const value = (() => {
        switch (c) {
          case 'id':
            return which === 'near' ? sql`-s.id` : sql`s.id`;
          case 'expiry':
            return sql.raw(legExpirySql('s.expiry', which));
          case 'side':
            return sql.raw(legSideSql('s.side', which));
          case 'price':
            return which === 'near' ? sql`np.price` : sql`np.price + s.price`;
          case 'trade_no':
            return sql`NULL::text`;
          case 'ref':
            return which === 'near' ? sql`NULL::text` : sql`s.ref`;
          default:
            return sql.raw(`s.${c}`);
        }
      })();
      return sql`${value} AS ${sql.raw(c)}`;
    });
  // The other side's plain trades in a leg's place: same account, root, type and month.
  const legOf = (alias: string, which: CombinationLeg) =>
    sql.raw(`${alias}.account = s.account AND ${alias}.root = s.root AND ${alias}.instrument_type = s.instrument_type
      AND ${alias}.expiry = ${legExpirySql('s.expiry', which)} AND ${alias}.side = ${legSideSql('s.side', which)}`);
  return [
    { label: `drop ${x.side} expanded records`, query: sql`DROP TABLE IF EXISTS ${table}` },
    {
      label: `expand ${x.side} spreads into legs`,
      query: sql`CREATE TEMP TABLE ${table} ON COMMIT DROP AS
        WITH s AS MATERIALIZED (
          SELECT r.* FROM trade r JOIN rx_files sf ON sf.id = r.file_id
          WHERE r.source = ${x.source}::text AND r.clearing_date = ${x.businessDate}::date
            AND ${sql.raw(isCombinationSql('r.expiry'))}),
        o AS MATERIALIZED (
          SELECT r.id, r.account, r.root, r.instrument_type, r.expiry, r.side, r.quantity, r.price
          FROM trade r JOIN rx_files sf ON sf.id = r.file_id${x.otherJoin}
          WHERE ${x.otherWhere} AND NOT ${sql.raw(isCombinationSql('r.expiry'))}),
        np AS (
          SELECT DISTINCT ON (s.id) s.id, n.price
          FROM s JOIN o n ON ${legOf('n', 'near')}
          ORDER BY s.id,
            EXISTS (SELECT 1 FROM o f WHERE ${legOf('f', 'far')} AND f.quantity = n.quantity
                    AND f.price - n.price = s.price) DESC,
            (n.quantity = s.quantity) DESC, n.id)
        SELECT ${sql.join(leg('near'))} FROM s LEFT JOIN np ON np.id = s.id
        UNION ALL
        SELECT ${sql.join(leg('far'))} FROM s LEFT JOIN np ON np.id = s.id`,
    },
    { label: `analyze ${x.side} expanded records`, query: sql`ANALYZE ${table}` },
  ];
}
