/**
 * Combination series: an HKATS standard combination is traded as one series (`HSIK9/M9`) but never
 * clears or holds a position itself; only its legs do. The combinations recognised are futures
 * calendar spreads: buying the spread sells the near month and buys the far month, and its price is
 * the far leg's price less the near leg's.
 *
 * A spread is stored as a future whose expiry holds both legs' months, `near/far` (`2019-05/2019-06`):
 * the instrument a rule keys on (`HSI F 2019-05/2019-06`) then names the combination and never equals
 * a leg's, and the record's digest covers both legs without a column of its own.
 */

/** Between the near and the far leg, in a series name (`HSIK9/M9`) and in a stored expiry. */
export const COMBINATION_SEPARATOR = '/';

/** The stored expiry of a calendar spread: its near and far months, `YYYY-MM/YYYY-MM`. */
export function combinationExpiry(near: string, far: string): string {
  return `${near}${COMBINATION_SEPARATOR}${far}`;
}

/** The legs of a combination, in the order its name lists them. */
export const COMBINATION_LEGS = ['near', 'far'] as const;
export type CombinationLeg = (typeof COMBINATION_LEGS)[number];

/**
 * SQL true when the stored expiry `expr` (a column reference) is a combination's. A LIKE pattern (the
 * separator is no pattern character) rather than a function call: the planner estimates it from the
 * column's statistics, where it took strpos to hold for a third of a million trades and misjudged
 * every join above the side that reads the other trades. The trade table's partial index of
 * combinations (migration 0021) states the same condition, so a run finds them without reading the day.
 */
export function isCombinationSql(expr: string): string {
  return `(${expr} LIKE '%${COMBINATION_SEPARATOR}%')`;
}

/** SQL of one leg's expiry month from a combination's stored expiry `expr` (a column reference). */
export function legExpirySql(expr: string, leg: CombinationLeg): string {
  return `split_part(${expr}, '${COMBINATION_SEPARATOR}', ${leg === 'near' ? 1 : 2})`;
}

/**
 * How a leg trades against the combination: the near leg on the opposite side (buying the spread
 * sells the near month), the far leg on the same side. SQL of the leg's side from the side `expr`.
 */
export function legSideSql(expr: string, leg: CombinationLeg): string {
  return leg === 'far' ? expr : `(CASE ${expr} WHEN 'B' THEN 'S' WHEN 'S' THEN 'B' END)`;
}
