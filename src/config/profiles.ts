import { readdirSync } from 'node:fs';
import path from 'node:path';
import { DcassError } from '../shared/errors.js';
import { builtinPath } from '../shared/package-root.js';
import { profileSchema, type Profile } from './profile.js';
import { loadValidatedFile } from './yaml-file.js';

/** The profiles in force: the built-in ones, then the configured folders' (a same-named profile replaces a built-in). */
export class ProfileRegistry {
  private readonly byName = new Map<string, Profile>();

  constructor(profiles: Iterable<Profile>) {
    for (const p of profiles) this.byName.set(p.name, p);
  }

  /** Loads the built-in profiles and those in the given folders (*.yaml, *.yml, *.json). */
  static load(folders: readonly string[] = []): ProfileRegistry {
    return new ProfileRegistry([builtinPath('profiles'), ...folders].flatMap(loadFolder));
  }

  /** Every profile, sorted by name. */
  all(): Profile[] {
    return [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The profile of that name, or an error listing the names there are. */
  get(name: string): Profile {
    const p = this.byName.get(name);
    if (!p) {
      throw new DcassError('PROFILE_NOT_FOUND', `no profile named "${name}"`, {
        hint: `known profiles: ${this.all()
          .map((x) => x.name)
          .join(', ')}`,
      });
    }
    return p;
  }

  /** The one profile of a source whose file-name pattern matches, or a clear error. */
  select(fileName: string, source: Profile['source']): Profile {
    const hits = this.all().filter((p) => p.source === source && new RegExp(p.match).test(fileName));
    if (hits.length === 1) return hits[0]!;
    if (hits.length === 0) {
      throw new DcassError('PROFILE_NOT_FOUND', `${fileName}: no ${source} profile matches this file name`, {
        location: { file: fileName },
        hint: `name the profile with --profile, or rename the file; ${source} profiles: ${this.all()
          .filter((p) => p.source === source)
          .map((p) => `${p.name} (${p.match})`)
          .join('; ')}`,
      });
    }
    throw new DcassError(
      'PROFILE_AMBIGUOUS',
      `${fileName}: several ${source} profiles match: ${hits.map((p) => p.name).join(', ')}`,
      {
        location: { file: fileName },
        hint: 'choose one with --profile',
      },
    );
  }
}

function loadFolder(folder: string): Profile[] {
  let names: string[];
  try {
    names = readdirSync(folder)
      .filter((n) => /\.(ya?ml|json)$/i.test(n))
      .sort();
  } catch (cause) {
    throw new DcassError('CONFIG_INVALID', `cannot read the profile folder ${folder}`, { cause });
  }
  return names.map((n) => {
    const file = path.join(folder, n);
    return { ...loadValidatedFile(file, profileSchema, 'PROFILE_INVALID'), file };
  });
}
