import { sql, type RawBuilder } from 'kysely';
import type { ClearingHouse } from '../model/vocabulary.js';
import { SIGHTING } from './breaks.js';

/**
 * A report, a break count or a confirmation narrowed to one clearing house. A break's house is that
 * of its records (their series roots in the product table), derived when the report is read.
 */
export interface HouseFilter {
  readonly house: ClearingHouse;
  /** The roots the product table gives this house. */
  readonly roots: readonly string[];
  /** Every root the product table knows. */
  readonly known: readonly string[];
}

/** The filter of one house under a product table (root -> house). */
export function houseFilter(
  house: ClearingHouse,
  products: Readonly<Record<string, ClearingHouse>>,
): HouseFilter {
  const known = Object.keys(products).sort();
  return { house, roots: known.filter((root) => products[root] === house), known };
}

// Roots are 1 to 6 letters A-Z (products.ts): an array literal of them needs no quoting, and travels
// as one parameter read alike by pg and PGlite.
const textArray = (values: readonly string[]) => sql`${`{${values.join(',')}}`}::text[]`;

/**
 * True when the break (aliases: `c` its case, `d` what a sighting found) belongs to the house: one of
 * its records has a root of the house, or a root the product table does not know. So a break of
 * records of two houses shows in both houses' reports, and one of an unknown product in every one:
 * a narrower report never hides a break it cannot place. Always true without a filter.
 */
export function breakInHouse(filter: HouseFilter | null | undefined): RawBuilder<boolean> {
  if (filter === null || filter === undefined) return sql<boolean>`TRUE`;
  return sql<boolean>`EXISTS (SELECT 1 FROM unnest(d.left_ids || d.right_ids) AS hu(id)
      LEFT JOIN trade ht ON (c.entity = 'trades' OR hu.id < 0) AND ht.id = abs(hu.id)
      LEFT JOIN position hp ON c.entity <> 'trades' AND hu.id > 0 AND hp.id = hu.id
      WHERE coalesce(ht.root, hp.root) = ANY(${textArray(filter.roots)})
        OR NOT coalesce(ht.root, hp.root) = ANY(${textArray(filter.known)}))`;
}

/**
 * True when the case (alias `c`) belongs to the house by the records of its last sighting, that of
 * `lastSeenRun` (SQL of the run id: the case's current state, or its state at a moment); always true
 * without a filter.
 */
export function caseInHouse(
  filter: HouseFilter | null | undefined,
  lastSeenRun: RawBuilder<unknown>,
): RawBuilder<boolean> {
  if (filter === null || filter === undefined) return sql<boolean>`TRUE`;
  return sql<boolean>`EXISTS (SELECT 1 FROM ${SIGHTING} WHERE b.case_id = c.id AND b.run_id = ${lastSeenRun}
    AND ${breakInHouse(filter)})`;
}
