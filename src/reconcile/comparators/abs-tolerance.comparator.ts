import { sql } from 'kysely';
import { z } from 'zod';
import { defineComparator } from './comparator.js';
import { toleranceSchema } from './tolerance.js';

/** Decimals agree when |left - right| <= tolerance, computed in NUMERIC (exact). */
export const absTolerance = defineComparator({
  name: 'abs',
  description: 'decimals agree when they differ by at most `tolerance` (absolute)',
  types: ['decimal'],
  options: z.strictObject({ tolerance: toleranceSchema }),
  agree: (l, r, o) =>
    sql<boolean>`((${l} IS NULL AND ${r} IS NULL) OR coalesce(abs(${l} - ${r}) <= ${o.tolerance}::numeric, FALSE))`,
  label: (o) => `abs ${o.tolerance}`,
});
