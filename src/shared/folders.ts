import { accessSync, constants, mkdirSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { DcassError } from './errors.js';

/**
 * Creates a folder and its missing parents, one level at a time, or says in words why it cannot.
 *
 * Not `mkdirSync(dir, { recursive: true })`: Node's recursive mkdir reads every ENOENT as "a parent
 * is missing", creates the parent (EEXIST: fine) and retries the child, forever, at full CPU, when
 * the parent exists but cannot hold the child (anything under /proc or /sys, a dangling symlink):
 * `report --out /proc/nope` hung for ten minutes. Here the walk goes up to the nearest existing
 * ancestor once, then creates each level below it once; an error at any level is final.
 *
 * `what` names the folder in the message ("the output folder", "the embedded database folder").
 */
export function makeFolder(dir: string, what: string): void {
  const missing: string[] = [];
  let at = path.resolve(dir);
  let existing: Stats | undefined;
  try {
    existing = statIfAny(at);
    while (existing === undefined) {
      missing.unshift(at);
      const parent = path.dirname(at);
      if (parent === at) break;
      at = parent;
      existing = statIfAny(at);
    }
  } catch (err) {
    throw cannotCreate(dir, what, osReason(err, at));
  }
  if (existing !== undefined && !existing.isDirectory()) {
    throw cannotCreate(dir, what, `${at} is ${kindOf(existing)}, not a folder`);
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (err) {
      // Another process created it meanwhile: as good as done.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && statIfAny(level)?.isDirectory() === true)
        continue;
      throw cannotCreate(dir, what, osReason(err, level));
    }
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new DcassError('USAGE', `cannot write into ${what} ${dir}: ${osReason(err, dir)}`, {
      hint: 'choose a folder you can write to',
    });
  }
}

/** The entry at `p`, or undefined when there is none (ENOTDIR: a parent is not a folder either). */
export function statIfAny(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** The operating system's reason for a failed mkdir, in words, with its code for searching. */
function osReason(err: unknown, level: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  // Only reached with the parent in place: the parent refuses new entries.
  if (code === 'ENOENT')
    return `${path.dirname(level)} does not accept new folders (ENOENT: a special file system such as /proc or /sys, or a link to nowhere)`;
  if (code === 'EEXIST') return `${level} exists and is not a folder (a link to nowhere?)`;
  return describeOsError(err);
}

/** A failed file operation's reason in words, with its code for searching (the path is the caller's). */
export function describeOsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return 'no such file or folder (ENOENT)';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${e.code})`;
    case 'EROFS':
      return 'the file system is read-only (EROFS)';
    case 'ENOSPC':
      return 'no space left on the device (ENOSPC)';
    case 'EDQUOT':
      return 'the disk quota is used up (EDQUOT)';
    case 'ENOTDIR':
      return 'a part of the path is not a folder (ENOTDIR)';
    case 'EISDIR':
      return 'it is a folder (EISDIR)';
    default:
      return e instanceof Error ? e.message : String(err);
  }
}

/** What a non-folder is, for messages: a device such as /dev/full is not "a file" to its owner. */
export function kindOf(stat: Stats): string {
  if (stat.isFile()) return 'a file';
  if (stat.isDirectory()) return 'a folder';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isSocket()) return 'a socket';
  return 'a special file';
}

function cannotCreate(dir: string, what: string, reason: string): DcassError {
  return new DcassError('USAGE', `cannot create ${what} ${dir}: ${reason}`, {
    hint: 'choose a folder you can write to',
  });
}
