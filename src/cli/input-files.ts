import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  DcassError,
  type IngestRequest,
  type Profile,
  type ProfileRegistry,
  type SOURCES,
} from '../index.js';
import type { CliContext } from './context.js';

type Source = (typeof SOURCES)[number];

/**
 * Every file of the input folders the configuration names (`ingest --all`, `verify`, `demo`), less
 * those in excluded folders (inputs.excludeFolders: archive and old unless configured), in load order.
 */
export function configuredInputs(ctx: CliContext): IngestRequest[] {
  const inputs = Object.entries(ctx.config.inputs);
  if (inputs.length === 0) {
    throw new DcassError('USAGE', 'no input folders are configured', {
      hint: 'add inputs: { genium, dcass, bos } to the configuration, or name files',
    });
  }
  return inputs.flatMap(([source, dir]) =>
    inLoadOrder(expandPath(dir, ctx.config.inputExcludeFolders), source as Source, ctx.profiles()).map(
      (p) => ({ path: p, source: source as Source }),
    ),
  );
}

/**
 * A folder becomes its files (recursively, sorted, hidden files and READMEs left out, and files in a
 * folder named in `excludeFolders` below it); a file stays itself.
 */
export function expandPath(p: string, excludeFolders: readonly string[] = []): string[] {
  let st;
  try {
    st = statSync(p);
  } catch {
    return [p]; // reported as unreadable, with the name, by ingest
  }
  if (!st.isDirectory()) return [p];
  const excluded = new Set(excludeFolders.map((f) => f.toLowerCase()));
  return readdirSync(p, { recursive: true, encoding: 'utf8' })
    .filter((n) => {
      const parts = n.split(path.sep);
      const folders = parts.slice(0, -1);
      return (
        !parts.some((part) => part.startsWith('.')) &&
        !/README/i.test(path.basename(n)) &&
        !folders.some((f) => excluded.has(f.toLowerCase()))
      );
    })
    .map((n) => path.join(p, n))
    .filter((f) => statSync(f).isFile())
    .sort();
}

/**
 * Orders one source's files so that the file in force is loaded last. When two files are the same
 * report of the same participant and date (by their profile's file-name pattern; by name when no
 * profile matches) and their names and headers carry no generation time, nothing in them says which
 * is newer and the loader takes the one loaded later: so they are loaded oldest modification time
 * first, and the newest becomes current. Two such files with the same modification time and different
 * content cannot be ordered: refused, both named. Files whose profile carries a generation time keep
 * their sorted place: the loader orders them by that time, whatever the load order.
 */
export function inLoadOrder(files: readonly string[], source: Source, profiles: ProfileRegistry): string[] {
  const keys = files.map((f) => candidateOf(path.basename(f), source, profiles));
  const groups = new Map<string, { files: string[]; byMtime: boolean }>();
  files.forEach((f, i) => {
    const { key, byMtime } = keys[i]!;
    const g = groups.get(key) ?? { files: [], byMtime };
    g.files.push(f);
    groups.set(key, g);
  });
  for (const g of groups.values()) {
    if (g.files.length < 2 || !g.byMtime) continue;
    const dated = g.files.map((f) => ({ f, mtime: statSync(f).mtimeMs })).sort((a, b) => a.mtime - b.mtime);
    refuseUnordered(dated);
    g.files = dated.map((d) => d.f);
  }
  // Every file keeps its place in the sorted listing; within a group, the places go oldest first.
  return keys.map(({ key }) => groups.get(key)!.files.shift()!);
}

/**
 * The report, participant and date a file name stands for, and whether the modification time is all
 * that can order it (its profile reads no generation time from the name or the header).
 */
function candidateOf(
  name: string,
  source: Source,
  profiles: ProfileRegistry,
): { key: string; byMtime: boolean } {
  let profile: Profile;
  try {
    profile = profiles.select(name, source);
  } catch {
    return { key: `name:${name}`, byMtime: false }; // refused by ingest (no profile), with the reason
  }
  const groups = new RegExp(profile.match).exec(name)?.groups ?? {};
  const f = profile.format;
  const headerFields = f.type === 'fixed-width' ? f.header.fields : f.type === 'xml' ? f.header : {};
  return {
    key: [profile.source, profile.entity, profile.reportId, groups.participant, groups.businessDate]
      .map((v) => v ?? '')
      .join('|'),
    byMtime: groups.generation === undefined && headerFields.generatedAt === undefined,
  };
}

/** Refuses two files, oldest first, whose modification times are equal but whose contents differ. */
function refuseUnordered(dated: readonly { f: string; mtime: number }[]): void {
  for (let i = 1; i < dated.length; i++) {
    const [a, b] = [dated[i - 1]!, dated[i]!];
    if (a.mtime === b.mtime && !sameContent(a.f, b.f)) {
      throw new DcassError(
        'USAGE',
        `${a.f} and ${b.f} are the same report, participant and business date, with the same modification time and different contents: which one is current cannot be told`,
        {
          hint: 'move the one that is not current into a folder named archive (inputs.excludeFolders), or delete it, and run again',
        },
      );
    }
  }
}

/** Whether two files hold the same bytes, read a block at a time (memory stays flat). */
function sameContent(a: string, b: string): boolean {
  if (statSync(a).size !== statSync(b).size) return false;
  const [fa, fb] = [openSync(a, 'r'), openSync(b, 'r')];
  try {
    const [ba, bb] = [Buffer.alloc(64 * 1024), Buffer.alloc(64 * 1024)];
    for (;;) {
      const n = readSync(fa, ba);
      const m = readSync(fb, bb);
      if (n !== m || !ba.subarray(0, n).equals(bb.subarray(0, m))) return false;
      if (n === 0) return true;
    }
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
}
