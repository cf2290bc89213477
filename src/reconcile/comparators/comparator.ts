import type { RawBuilder } from 'kysely';
import type { z } from 'zod';
import type { FieldType } from '../../model/entities.js';

/**
 * A comparator decides in SQL whether a left and a right value agree. One file per comparator; the
 * compiler only calls this interface, so adding one needs no change to the engine.
 */
export interface Comparator<P = unknown> {
  /** The name a rule file uses (`comparator: abs`). */
  readonly name: string;
  /** What the comparator does, for error messages and the README. */
  readonly description: string;
  /** Field types it can compare. */
  readonly types: readonly FieldType[];
  /** Its options in a rule file, beside `comparator:` (strict: an unknown option is an error). */
  readonly options: z.ZodType<P>;
  /** True when the field is never compared at all (no SQL is built for it). */
  readonly ignores?: boolean;
  /** SQL that is true when the values agree; `left`/`right` are typed column references; NULLs handled. */
  agree(left: RawBuilder<unknown>, right: RawBuilder<unknown>, options: P): RawBuilder<boolean>;
  /** The label written into a break's field difference (`abs 0.001`). */
  label(options: P): string;
}

/** Declares a comparator with its option type inferred. */
export function defineComparator<P>(c: Comparator<P>): Comparator<P> {
  return c;
}
