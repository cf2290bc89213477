import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Profile } from '../../config/profile.js';
import { DcassError } from '../../shared/errors.js';
import { describeOsError } from '../../shared/folders.js';
import { sha256File } from '../../shared/sha256-file.js';
import { parseDate } from '../../model/dates.js';
import { hkWallClockToInstant } from '../normalise/values.js';

/** What is known of a file before its content is read. */
export interface FileMeta {
  readonly path: string;
  readonly fileName: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  /** Modification time in microseconds since the epoch: orders generations the file does not date itself. */
  readonly mtimeMicros: bigint;
}

/** An instant in microseconds since the epoch as ISO 8601 text with all six decimals, as PostgreSQL keeps it. */
export function isoMicros(micros: bigint): string {
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const rest = micros - ms * 1000n;
  return new Date(Number(ms)).toISOString().replace('Z', `${rest.toString().padStart(3, '0')}Z`);
}

/** Size and sha256 of a file, streamed (the hash decides idempotency before anything is parsed). */
export async function describeFile(filePath: string): Promise<FileMeta> {
  let size: number;
  let mtimeMicros: bigint;
  try {
    // bigint: the modification time to the nanosecond, where a number would round it.
    const st = await fs.stat(filePath, { bigint: true });
    if (!st.isFile()) throw new Error('not a regular file');
    size = Number(st.size);
    mtimeMicros = st.mtimeNs / 1000n;
  } catch (cause) {
    throw new DcassError(
      'INGEST_FILE_UNREADABLE',
      `${filePath}: cannot read the file: ${describeOsError(cause)}`,
      {
        location: { file: filePath },
        cause,
      },
    );
  }
  let sha256: string;
  try {
    sha256 = await sha256File(filePath);
  } catch (cause) {
    throw new DcassError(
      'INGEST_FILE_UNREADABLE',
      `${filePath}: cannot read the file: ${describeOsError(cause)}`,
      {
        location: { file: filePath },
        cause,
      },
    );
  }
  return {
    path: path.resolve(filePath),
    fileName: path.basename(filePath),
    sizeBytes: size,
    sha256,
    mtimeMicros,
  };
}

/** Participant, business date and generation time that the file name carries (named groups of the profile's pattern). */
export interface NameFacts {
  readonly participant: string | null;
  readonly businessDate: string | null;
  /** The generation instant from `_HHMM` (Hong Kong time on the business date), if the name has one. */
  readonly generatedAt: string | null;
}

/** Reads the facts of a file name through the profile's pattern. */
export function nameFacts(profile: Profile, fileName: string): NameFacts {
  const groups = new RegExp(profile.match).exec(fileName)?.groups ?? {};
  const participant = groups.participant ?? null;
  let businessDate: string | null = null;
  if (groups.businessDate !== undefined) {
    const d = parseDate(groups.businessDate, 'YYYYMMDD');
    if (!d.ok) {
      throw new DcassError(
        'INGEST_HEADER_INVALID',
        `${fileName}: the business date in the file name is not a date: ${d.issue.message}`,
        {
          location: { file: fileName },
        },
      );
    }
    businessDate = d.value;
  }
  let generatedAt: string | null = null;
  const g = groups.generation;
  if (g !== undefined && businessDate !== null && /^[0-9]{4}$/.test(g)) {
    const at = hkWallClockToInstant(businessDate, `${g.slice(0, 2)}:${g.slice(2)}:00`);
    if (at.ok) generatedAt = at.value;
  }
  return { participant, businessDate, generatedAt };
}
