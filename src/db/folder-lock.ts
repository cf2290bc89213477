import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { DcassError } from '../shared/errors.js';

/**
 * Takes the embedded database folder for this process. PGlite has no lock of its own, and two
 * processes writing one data folder would corrupt it. The lock file (`<folder>.lock`, beside the
 * folder: PGlite wants the folder itself empty before its first start) holds the owner's pid; a lock
 * whose process is gone (killed, crashed) is taken over.
 */
export function lockFolder(folder: string): () => void {
  const file = `${path.resolve(folder)}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          unlinkSync(file);
        } catch {
          // already gone: nothing to release
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number.parseInt(readOwner(file), 10);
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
        throw new DcassError(
          'DB_UNREACHABLE',
          `the embedded database in ${folder} is in use by process ${owner}`,
          {
            hint: 'the embedded database takes one process at a time: wait for the other dcass-recon to finish, or use a PostgreSQL server (--db postgres://...)',
          },
        );
      }
      // The owner is gone: its lock is stale.
      try {
        unlinkSync(file);
      } catch {
        // another process took it over first; the next attempt finds out
      }
    }
  }
  throw new DcassError('DB_UNREACHABLE', `cannot lock the embedded database in ${folder}`, {
    hint: 'another dcass-recon process is starting on the same folder; try again',
  });
}

function readOwner(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
