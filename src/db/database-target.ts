import path from 'node:path';
import { DcassError } from '../shared/errors.js';
import { kindOf, statIfAny } from '../shared/folders.js';

/** True when the target names a PostgreSQL server rather than an embedded folder. */
export function isServerUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/** The throwaway in-memory embedded database (tests, the demo). */
export const MEMORY_TARGET = 'memory://';

/**
 * What a database target names, checked before anything is created: a server URL, the in-memory
 * database, an existing embedded database folder, or a new one (created on first use).
 *
 * A folder that does not exist yet must look like a folder: `--db postgres//127.0.0.1/nc` (a URL
 * whose ':' was lost) once created ./postgres/127.0.0.1/nc and exited 0. A new folder's path may not
 * contain "//" (a URL missing its ':'), nor ':' (a URL scheme, or a host:port), nor start with
 * "postgres" followed by "/" or "@" (the start of a mistyped server URL). An existing folder is
 * taken as it is, whatever its name.
 */
export function checkDatabaseTarget(target: string): 'server' | 'memory' | 'folder' | 'new-folder' {
  if (isServerUrl(target)) return 'server';
  if (target === MEMORY_TARGET) return 'memory';
  const existing = statIfAny(target);
  if (existing?.isDirectory()) return 'folder';
  if (existing !== undefined) {
    throw new DcassError(
      'USAGE',
      `the database ${target} is ${kindOf(existing)}: an embedded database is a folder`,
      { hint: EXPECTED },
    );
  }
  const doubt = implausibleFolder(target);
  if (doubt !== null) {
    throw new DcassError(
      'USAGE',
      `the database "${target}" is neither a PostgreSQL URL nor a plausible folder: ${doubt}`,
      { hint: EXPECTED },
    );
  }
  return 'new-folder';
}

const EXPECTED =
  'name a server as postgres://user@host:port/database (or postgresql://...), or an embedded database ' +
  'as a folder path such as ./recon-db; set it with --db, DATABASE_URL or the configuration key "database"';

/** Why a path that does not exist yet does not look like a folder, or null when it does. */
function implausibleFolder(target: string): string | null {
  if (target.includes('://')) return 'only postgres:// and postgresql:// URLs name a database';
  if (target.includes('//')) return 'it contains "//", as a URL whose ":" was lost does';
  // A Windows drive ("C:\") is a folder; any other ':' is a URL scheme or a host:port.
  if (target.replace(/^[a-z]:[\\/]/i, '').includes(':'))
    return 'it contains ":", as a URL or a host:port does';
  if (/^postgres(ql)?[/@\\]/i.test(path.normalize(target)))
    return 'it starts like a PostgreSQL URL without "://" (write ./postgres/... for a folder of that name)';
  return null;
}
