import { sql } from 'kysely';
import { z } from 'zod';
import { defineComparator } from './comparator.js';

/** Text agrees ignoring all white space (`HSI 28000` = `HSI28000`); `caseInsensitive: true` also ignores case. */
export const spaceInsensitive = defineComparator({
  name: 'space-insensitive',
  description: 'text agrees ignoring white space (and case with `caseInsensitive: true`)',
  types: ['text'],
  options: z.strictObject({ caseInsensitive: z.boolean().default(false) }),
  agree: (l, r, o) => {
    const norm = (v: typeof l) =>
      o.caseInsensitive
        ? sql`lower(regexp_replace(${v}, '\\s+', '', 'g'))`
        : sql`regexp_replace(${v}, '\\s+', '', 'g')`;
    return sql<boolean>`(${norm(l)} IS NOT DISTINCT FROM ${norm(r)})`;
  },
  label: (o) => (o.caseInsensitive ? 'space-insensitive, case-insensitive' : 'space-insensitive'),
});
