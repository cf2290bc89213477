import { z } from 'zod';

/**
 * A non-negative decimal tolerance. Written as a string in the rule file to stay exact; a YAML number
 * is accepted when its text is a plain decimal (0.001), since YAML reads it as a binary float.
 */
export const toleranceSchema = z
  .union([z.string(), z.number()])
  .transform((v) => (typeof v === 'number' ? String(v) : v.trim()))
  .refine((v) => /^[0-9]+(\.[0-9]+)?$/.test(v), {
    message: 'expected a non-negative decimal such as "0.001" (quote it to keep it exact)',
  });
