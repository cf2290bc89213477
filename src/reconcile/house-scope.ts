import { sql } from 'kysely';
import type { StoreTransaction } from '../db/connect.js';
import type { ClearingHouse } from '../model/vocabulary.js';
import { DcassError } from '../shared/errors.js';
import { ENTITY_DEFS, HOUSE_FIELD } from './fields.js';
import { namedFields, type FieldFilter, type Reconciliation } from './rule-set.js';

/**
 * Clearing houses in a run. A record's house is the rule field `house` (fields.ts), read from the
 * run's product table, rx_product: the configuration's product table (products.ts) loaded into the
 * run's transaction, so the house is derived when records are read, never stored with them.
 */

/** Loads the product table (root -> house) into the run's transaction as rx_product. */
export async function loadProductTable(
  tx: StoreTransaction,
  products: Readonly<Record<string, ClearingHouse>>,
): Promise<void> {
  await sql`DROP TABLE IF EXISTS rx_product`.execute(tx.db);
  await sql`CREATE TEMP TABLE rx_product (root text PRIMARY KEY, house text NOT NULL) ON COMMIT DROP`.execute(
    tx.db,
  );
  const rows = Object.entries(products);
  if (rows.length === 0) return;
  await sql`INSERT INTO rx_product (root, house) VALUES ${sql.join(
    rows.map(([root, house]) => sql`(${root}::text, ${house}::text)`),
  )}`.execute(tx.db);
}

/**
 * The reconciliation narrowed to one clearing house: both sides read only that house's records. The
 * register's scope rule follows (carry.ts lookedAtSql): a break with a record of another house lies
 * outside the narrowed filters, so a run of one house never clears another house's break.
 */
export function scopedToHouse(recon: Reconciliation, house: ClearingHouse): Reconciliation {
  const only: FieldFilter = { field: HOUSE_FIELD, in: [house], negate: false };
  return {
    ...recon,
    left: { ...recon.left, filters: [...recon.left.filters, only] },
    right: { ...recon.right, filters: [...recon.right.filters, only] },
  };
}

/** Whether the reconciliation reads a record's house anywhere (a filter, a condition, a key, a compared field). */
export function readsHouse(recon: Reconciliation): boolean {
  return namedFields(recon).includes(HOUSE_FIELD);
}

/**
 * Refuses a run that reads houses when records of its date (current files, trades by clearing date,
 * positions by position date) have a series root the product table does not know: such a record has
 * no house, and a house filter would leave it out silently, so that the verification looked complete
 * without it. The error names the roots and the configuration key that gives them a house.
 */
export async function checkKnownRoots(
  tx: StoreTransaction,
  businessDate: string,
  configFile: string | null,
): Promise<void> {
  const unknown = (['trades', 'positions'] as const).map(
    (entity) => sql`SELECT DISTINCT r.root FROM ${sql.raw(ENTITY_DEFS[entity].table)} r
      JOIN source_file sf ON sf.id = r.file_id AND sf.superseded_by IS NULL
      WHERE ${sql.raw(`r.${ENTITY_DEFS[entity].dateColumn}`)} = ${businessDate}::date
        AND NOT EXISTS (SELECT 1 FROM rx_product p WHERE p.root = r.root)`,
  );
  const { rows } = await sql<{ root: string }>`SELECT root FROM (${unknown[0]!} UNION ${unknown[1]!}) u
    ORDER BY root`.execute(tx.db);
  if (rows.length === 0) return;
  const roots = rows.map((r) => r.root);
  throw new DcassError(
    'CONFIG_INVALID',
    `records of ${businessDate} have series roots with no clearing house in the product table: ${roots.join(', ')}`,
    {
      location: { ...(configFile === null ? {} : { file: configFile }), path: 'products' },
      hint: `give each its house in the configuration, e.g. products: { ${roots[0]}: SEOCH } (HKCC clears futures and index options, SEOCH stock options), then run again`,
    },
  );
}
