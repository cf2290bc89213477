import { SOURCES, type Source, type Triangulation } from './vocabulary.js';

/**
 * Whether two sources agree, for each of the three pairs of sources. A source that does not hold
 * the record agrees with another that does not either (absent agrees with absent).
 */
export type PairAgreement = (a: Source, b: Source) => boolean;

/** The verdict that names a source as the odd one. */
export function oddVerdict(source: Source): Triangulation {
  return `odd-${source}`;
}

/**
 * The three-way verdict from the three pairwise agreements: all agree, one source disagreeing with
 * two that agree (named), all three differing, or intransitive (two pairs agree, the third does not).
 * Pure and symmetric: it asks about unordered pairs only, so listing the sources in another order
 * cannot change the answer, and renaming them renames the odd one.
 */
export function triangulate(agree: PairAgreement, sources: readonly Source[] = SOURCES): Triangulation {
  const [a, b, c] = sources as [Source, Source, Source];
  const pairs: [Source, Source, Source][] = [
    [a, b, c],
    [a, c, b],
    [b, c, a],
  ];
  // Each pair with the source outside it: a pair that agrees names the third as the odd one.
  const agreeing = pairs.filter(([x, y]) => agree(x, y) || agree(y, x));
  if (agreeing.length === 3) return 'all-agree';
  if (agreeing.length === 0) return 'all-differ';
  if (agreeing.length === 1) return oddVerdict(agreeing[0]![2]);
  return 'intransitive';
}
