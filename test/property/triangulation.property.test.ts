import { describe, expect, it } from 'vitest';
import { oddVerdict, triangulate } from '../../src/model/triangulation.js';
import { SOURCES, type Source, type Triangulation } from '../../src/model/vocabulary.js';
import { fc } from '../support/property.js';

/** A pairwise agreement from one boolean per unordered pair of sources. */
const agreementOf =
  (pairs: ReadonlyMap<string, boolean>) =>
  (a: Source, b: Source): boolean =>
    pairs.get([a, b].sort().join('/'))!;
const pairKey = (a: Source, b: Source) => [a, b].sort().join('/');

const agreements = fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()).map(
  ([gd, db, gb]) =>
    new Map([
      [pairKey('genium', 'dcass'), gd],
      [pairKey('dcass', 'bos'), db],
      [pairKey('genium', 'bos'), gb],
    ]),
);
const permutation = fc.constantFrom<readonly Source[]>(
  ['genium', 'dcass', 'bos'],
  ['genium', 'bos', 'dcass'],
  ['dcass', 'genium', 'bos'],
  ['dcass', 'bos', 'genium'],
  ['bos', 'genium', 'dcass'],
  ['bos', 'dcass', 'genium'],
);

/** The verdict with its sources renamed by `rename`. */
function renamed(v: Triangulation, rename: (s: Source) => Source): Triangulation {
  const odd = SOURCES.find((s) => v === oddVerdict(s));
  return odd === undefined ? v : oddVerdict(rename(odd));
}

describe('the three-way view is symmetric in the sources', () => {
  it('listing the sources in another order gives the same verdict', () => {
    fc.assert(
      fc.property(agreements, permutation, (pairs, order) => {
        expect(triangulate(agreementOf(pairs), order)).toBe(triangulate(agreementOf(pairs)));
      }),
    );
  });

  it('renaming the sources renames the odd one, and nothing else changes', () => {
    fc.assert(
      fc.property(agreements, permutation, (pairs, image) => {
        // sigma maps SOURCES[i] to image[i]; the renamed agreement asks about the sources before renaming.
        const sigma = (s: Source) => image[SOURCES.indexOf(s)]!;
        const inverse = (s: Source) => SOURCES[image.indexOf(s)]!;
        const before = agreementOf(pairs);
        const after = (a: Source, b: Source) => before(inverse(a), inverse(b));
        expect(triangulate(after)).toBe(renamed(triangulate(before), sigma));
      }),
    );
  });

  it('from values: equal values agree, and the verdict names the one source whose value the other two do not share', () => {
    const value = fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }); // null: the source lacks the record
    fc.assert(
      fc.property(value, value, value, (g, d, b) => {
        const of: Record<Source, number | null> = { genium: g, dcass: d, bos: b };
        const verdict = triangulate((x, y) => of[x] === of[y]);
        const distinct = new Set([g, d, b]).size;
        if (distinct === 1) expect(verdict).toBe('all-agree');
        else if (distinct === 3) expect(verdict).toBe('all-differ');
        else {
          const odd = SOURCES.find((s) => SOURCES.every((o) => o === s || of[o] !== of[s]))!;
          expect(verdict).toBe(oddVerdict(odd));
        }
        // Equality is transitive: values never give an intransitive verdict.
        expect(verdict).not.toBe('intransitive');
      }),
    );
  });

  it('two pairs agreeing while the third does not is intransitive, whichever pair it is', () => {
    for (const [x, y] of [
      ['genium', 'dcass'],
      ['dcass', 'bos'],
      ['genium', 'bos'],
    ] as const) {
      expect(triangulate((a, b) => pairKey(a, b) !== pairKey(x, y))).toBe('intransitive');
    }
  });
});
