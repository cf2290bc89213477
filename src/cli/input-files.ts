import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { lineOfKey } from '../config/yaml-file.js';
import { describeOsError, statIfAny } from '../shared/folders.js';
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
  // Every folder is read before anything is loaded: a mistyped folder stops the command, loading nothing.
  const listed = inputs.map(([source, dir]) => {
    try {
      return { source: source as Source, files: listPath(dir, ctx.config.inputExcludeFolders) };
    } catch (err) {
      throw configuredFolderUnreadable(ctx, source, dir, err);
    }
  });
  return listed.flatMap(({ source, files }) =>
    inLoadOrder(files, source, ctx.profiles(), ctx.config.participant?.code ?? null).map((p) => ({
      path: p,
      source,
    })),
  );
}

/**
 * A configured input folder that cannot be read, named with its configuration key and line: a
 * configuration mistake (exit 2), not a refused file, so nothing of it is recorded in `rejects`.
 */
function configuredFolderUnreadable(ctx: CliContext, source: string, dir: string, err: unknown): DcassError {
  const key = `inputs.${source}`;
  const file = ctx.config.configFile;
  const line = file === null ? undefined : lineOfKey(file, ['inputs', source]);
  return new DcassError('CONFIG_INVALID', `the input folder ${dir} cannot be read: ${describeOsError(err)}`, {
    location: { ...(file === null ? {} : { file }), ...(line === undefined ? {} : { line }), path: key },
    hint: `correct ${key} in the configuration, or create the folder; nothing was loaded`,
  });
}

/**
 * A folder becomes its files (recursively, sorted, hidden files and READMEs left out, and files in a
 * folder named in `excludeFolders` below it); a file stays itself. A path that does not exist or
 * cannot be listed is refused with the operating system's reason, before anything is loaded: it is
 * a mistyped argument, not a file to record as refused.
 */
export function expandPath(p: string, excludeFolders: readonly string[] = []): string[] {
  try {
    return listPath(p, excludeFolders);
  } catch (err) {
    throw new DcassError('USAGE', `cannot read ${p}: ${describeOsError(err)}`, {
      hint: 'check the path (a file or a folder of files); nothing was loaded',
      cause: err,
    });
  }
}

/** A file as itself, a folder as its files; the operating system's error when the path cannot be read. */
function listPath(p: string, excludeFolders: readonly string[]): string[] {
  if (!statSync(p).isDirectory()) return [p];
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
    .filter((f) => {
      const st = statIfAny(f); // a link to nowhere stays in the list: ingest refuses it, with the reason
      return st === undefined || st.isFile();
    })
    .sort();
}

/**
 * Orders one source's files so that the file in force is loaded last. When two files are the same
 * report of the same participant and date (by their profile's file-name pattern; by name when no
 * profile matches) and their names and headers carry no generation time, the loader orders them by
 * modification time whatever the load order; loading them oldest first still matters, so that each
 * call's outcome reads "loaded" for the current file rather than "loaded as superseded". Two such files with the same modification time and different
 * content cannot be ordered: refused, both named. Files whose profile carries a generation time keep
 * their sorted place: the loader orders them by that time, whatever the load order. A name without a
 * participant (BOS_TRADES_20190506.csv) stands for the configured participant, as the loader reads it.
 */
function inLoadOrder(
  files: readonly string[],
  source: Source,
  profiles: ProfileRegistry,
  participant: string | null = null,
): string[] {
  const keys = files.map((f) => candidateOf(path.basename(f), source, profiles, participant));
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
  participant: string | null,
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
    key: [
      profile.source,
      profile.entity,
      profile.reportId,
      groups.participant ?? participant,
      groups.businessDate,
    ]
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
