import type { FieldSpec, Profile } from '../../config/profile.js';
import { DcassError } from '../../shared/errors.js';

/** A fixed-width field's place in its record: [start, length], 1-based. */
export type Position = readonly [number, number];

/** A field and where its format finds it: a name (CSV column, XML element or attribute) or a position. */
export interface FieldLocation<From> {
  readonly field: string;
  readonly from: From;
  readonly optional: boolean;
}

type Specs = Readonly<Partial<Record<string, FieldSpec>>>;

/**
 * The fields of a format that finds them by name. The profile schema holds a detail field's `from` to
 * its format's kind; a header field's is held here, so a wrong one is a profile error, not garbage.
 */
export function namedFields(profile: Pick<Profile, 'name' | 'file'>, specs: Specs): FieldLocation<string>[] {
  return locations(profile, specs, (from) => (typeof from === 'string' ? from : null), 'from: "<name>"');
}

/** The fields of a fixed-width layout, each at its position (see namedFields). */
export function positionedFields(profile: Pick<Profile, 'name' | 'file'>, specs: Specs): FieldLocation<Position>[] {
  return locations(profile, specs, (from) => (typeof from === 'string' ? null : from), 'from: [start, length]');
}

function locations<From>(
  profile: Pick<Profile, 'name' | 'file'>,
  specs: Specs,
  narrow: (from: FieldSpec['from']) => From | null,
  expected: string,
): FieldLocation<From>[] {
  const out: FieldLocation<From>[] = [];
  for (const [field, spec] of Object.entries(specs)) {
    if (spec === undefined) continue;
    const from = narrow(spec.from);
    if (from === null) {
      throw new DcassError('PROFILE_INVALID', `profile ${profile.name}: field ${field} needs ${expected}`, {
        location: { file: profile.file },
        hint: "give the field's place as this profile's format states places",
      });
    }
    out.push({ field, from, optional: spec.optional });
  }
  return out;
}
