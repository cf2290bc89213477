import { z } from 'zod';
import { CLEARING_HOUSES, type ClearingHouse } from '../model/vocabulary.js';

/**
 * The product table: which clearing house clears each product (series root). HKCC clears futures
 * and options, SEOCH stock options; a series names its root, never its house, so the house comes
 * from here. The configuration's `products:` adds roots to the built-in table or overrides them.
 */

/** A product root as series carry it (series.ts ROOT_RE): 1 to 6 letters A-Z. */
const ROOT = /^[A-Z]{1,6}$/;

/**
 * The built-in table: the index products and the stock option class of the shipped fixtures, and
 * the HSCEI products beside them. A CP's other products go in the configuration's `products:`.
 */
export const BUILTIN_PRODUCTS: Readonly<Record<string, ClearingHouse>> = Object.freeze({
  HSI: 'HKCC', // Hang Seng Index futures and options
  MHI: 'HKCC', // Mini-Hang Seng Index futures and options
  HHI: 'HKCC', // Hang Seng China Enterprises Index futures and options
  MCH: 'HKCC', // Mini-HSCEI futures and options
  TCH: 'SEOCH', // Tencent Holdings stock options
});

/** The configuration's `products:` key: root -> HKCC | SEOCH. */
export const productsSchema = z
  .record(z.string(), z.enum(CLEARING_HOUSES, { error: `a clearing house: ${CLEARING_HOUSES.join(' or ')}` }))
  // Checked here rather than by the record's key schema, whose own message would replace this one.
  .superRefine((table, ctx) => {
    for (const root of Object.keys(table)) {
      if (!ROOT.test(root))
        ctx.addIssue({
          code: 'custom',
          path: [root],
          message: 'a product root of 1 to 6 letters A-Z, such as HSI',
        });
    }
  });

/** The product table in force: the built-in one with the configuration's entries over it. */
export function resolveProducts(
  configured: Readonly<Record<string, ClearingHouse>> | undefined,
): Readonly<Record<string, ClearingHouse>> {
  return { ...BUILTIN_PRODUCTS, ...configured };
}
