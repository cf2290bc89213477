import { randomBytes } from 'node:crypto';
import { link, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { DcassError } from '../../shared/errors.js';
import { sha256File } from '../../shared/sha256-file.js';
import { makeFolder } from '../../shared/folders.js';

/** A download moved into its final place in the inbox. */
export interface CommittedFile {
  readonly localPath: string;
  readonly generation: number;
  readonly sha256: string;
  readonly size: number;
}

const TEMP_PREFIX = '.dcass-fetch-';
const TEMP_SUFFIX = '.part';

/** The inbox folder of one business date (YYYYMMDD). */
function dateInbox(inboxDir: string, date: string): string {
  return path.join(inboxDir, date);
}

/**
 * Where generation `n` of a remote file lives: the first under its own name, later ones (the
 * remote file changed) in `g<n>/` with the same name, so a name-based profile still recognises it
 * and no earlier generation is ever overwritten.
 */
function generationPath(inboxDir: string, date: string, name: string, generation: number): string {
  const dir = dateInbox(inboxDir, date);
  return generation <= 1 ? path.join(dir, name) : path.join(dir, `g${generation}`, name);
}

/** A fresh hidden temp path inside the date's inbox (same file system, so the final move is atomic). */
export async function tempPathIn(inboxDir: string, date: string): Promise<string> {
  const dir = dateInbox(inboxDir, date);
  makeFolder(dir, 'the SFTP inbox folder');
  return path.join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}${TEMP_SUFFIX}`);
}

/** True for our own temp files, which ingest and listings must ignore. */
function isTempName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX);
}

/** Removes temp files a killed earlier run left behind (one fetch per date at a time). */
export async function removeStaleTemps(inboxDir: string, date: string): Promise<number> {
  const dir = dateInbox(inboxDir, date);
  const names = await readdir(dir).catch(() => [] as string[]);
  const stale = names.filter(isTempName);
  await Promise.all(stale.map((n) => rm(path.join(dir, n), { force: true })));
  return stale.length;
}

/**
 * Checks a finished download (its size must equal the size the source reported), hashes it,
 * flushes it to disk and moves it to its generation path without ever replacing an existing file.
 * When a file with identical content already sits there (a manifest lost or reset), it is reused.
 */
export async function commitDownload(
  tempPath: string,
  expectedSize: number,
  target: { inboxDir: string; date: string; name: string; generation: number },
): Promise<CommittedFile> {
  const handle = await open(tempPath, 'r+');
  let size: number;
  try {
    size = (await handle.stat()).size;
    if (size !== expectedSize) {
      throw new DcassError(
        'SFTP_TRANSFER_FAILED',
        `downloaded ${size} bytes of ${target.name}, the source reported ${expectedSize}`,
        {
          hint: 'the transfer was cut short or the file changed while it was read; it is fetched again',
        },
      );
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  const sha256 = await sha256File(tempPath);
  for (let generation = target.generation; ; generation++) {
    const localPath = generationPath(target.inboxDir, target.date, target.name, generation);
    makeFolder(path.dirname(localPath), 'the SFTP inbox folder');
    const placed = await placeNoClobber(tempPath, localPath);
    if (placed) {
      await syncDir(path.dirname(localPath));
      return { localPath, generation, sha256, size };
    }
    const existing = await stat(localPath);
    if (existing.size === size && (await sha256File(localPath)) === sha256) {
      await rm(tempPath, { force: true });
      return { localPath, generation, sha256, size };
    }
  }
}

/** Moves `from` to `to` unless `to` exists; false when it does. */
async function placeNoClobber(from: string, to: string): Promise<boolean> {
  try {
    // link() fails on an existing target, where rename() would silently replace it.
    await link(from, to);
    await rm(from, { force: true });
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'ENOSYS') {
      throw new DcassError('ACQUIRE_INBOX_FAILED', `cannot place the download at ${to}`, {
        cause: err,
        hint: 'check free space and permissions of the inbox folder',
      });
    }
  }
  // File systems without hard links (some network shares): check, then rename.
  const exists = await stat(to).then(
    () => true,
    () => false,
  );
  if (exists) return false;
  await rename(from, to);
  return true;
}

async function syncDir(dir: string): Promise<void> {
  // Makes the new directory entry durable; not every platform can fsync a directory.
  const handle = await open(dir, 'r').catch(() => undefined);
  if (handle === undefined) return;
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}
