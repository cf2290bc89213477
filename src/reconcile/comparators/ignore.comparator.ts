import { sql } from 'kysely';
import { z } from 'zod';
import { defineComparator } from './comparator.js';

/** Never compared: documents in the rule file that a difference in the field is expected. */
export const ignore = defineComparator({
  name: 'ignore',
  description: 'the field is not compared',
  types: ['text', 'decimal', 'date', 'timestamp'],
  options: z.strictObject({}),
  ignores: true,
  agree: () => sql<boolean>`TRUE`,
  label: () => 'ignore',
});
