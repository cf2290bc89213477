import { absTolerance } from './abs-tolerance.comparator.js';
import { caseInsensitive } from './case-insensitive.comparator.js';
import type { Comparator } from './comparator.js';
import { exact } from './exact.comparator.js';
import { ignore } from './ignore.comparator.js';
import { relTolerance } from './rel-tolerance.comparator.js';
import { spaceInsensitive } from './space-insensitive.comparator.js';

export type { Comparator } from './comparator.js';

/** Every comparator a rule file may name, by name. */
export const COMPARATORS: ReadonlyMap<string, Comparator<unknown>> = new Map(
  [exact, ignore, absTolerance, relTolerance, caseInsensitive, spaceInsensitive].map((c) => [
    c.name,
    c as Comparator<unknown>,
  ]),
);
