import { sql } from 'kysely';
import { z } from 'zod';
import { defineComparator } from './comparator.js';
import { toleranceSchema } from './tolerance.js';

/** Decimals agree when |left - right| <= tolerance x the larger magnitude (0.001 = 0.1%), in NUMERIC. */
export const relTolerance = defineComparator({
  name: 'rel',
  description:
    'decimals agree when they differ by at most `tolerance` times the larger of the two (relative)',
  types: ['decimal'],
  options: z.strictObject({ tolerance: toleranceSchema }),
  agree: (l, r, o) =>
    sql<boolean>`((${l} IS NULL AND ${r} IS NULL) OR coalesce(abs(${l} - ${r}) <= ${o.tolerance}::numeric * greatest(abs(${l}), abs(${r})), FALSE))`,
  label: (o) => `rel ${o.tolerance}`,
});
