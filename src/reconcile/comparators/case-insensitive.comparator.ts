import { sql } from 'kysely';
import { z } from 'zod';
import { defineComparator } from './comparator.js';

/** Text agrees ignoring letter case (`h01` = `H01`). */
export const caseInsensitive = defineComparator({
  name: 'case-insensitive',
  description: 'text agrees ignoring upper and lower case',
  types: ['text'],
  options: z.strictObject({}),
  agree: (l, r) => sql<boolean>`(lower(${l}) IS NOT DISTINCT FROM lower(${r}))`,
  label: () => 'case-insensitive',
});
