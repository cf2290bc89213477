import { sql } from 'kysely';
import { z } from 'zod';
import { defineComparator } from './comparator.js';

/** Equal values (NUMERIC equality for decimals, so 1.50 = 1.5); two blanks agree, one blank does not. */
export const exact = defineComparator({
  name: 'exact',
  description: 'the values are equal (decimals by value: 1.50 equals 1.5)',
  types: ['text', 'decimal', 'date', 'timestamp'],
  options: z.strictObject({}),
  agree: (l, r) => sql<boolean>`(${l} IS NOT DISTINCT FROM ${r})`,
  label: () => 'exact',
});
