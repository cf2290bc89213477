import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import canonicalize from 'canonicalize';
import type { Database } from '../db/database.js';
import { StreamWriter } from '../shared/stream-writer.js';
import { DcassError, isDcassError } from '../shared/errors.js';
import {
  ChainChecker,
  GENESIS_HASH,
  bodyFrame,
  bodyMatchesColumns,
  type BrokenLink,
  type StoredAuditEvent,
} from './chain.js';
import { auditBatches, DEFAULT_BATCH } from './read.js';

/** Names the export format in its head line, so a verifier can tell what it reads. */
export const AUDIT_EXPORT_FORMAT = 'dcass-recon-audit-export/1';

/** What an export wrote. */
export interface AuditExport {
  readonly file: string;
  /** Events written (every stored event, broken or not). */
  readonly events: number;
  /** The last event written; null for an empty chain. */
  readonly head: { readonly id: string; readonly hash: string } | null;
  /** sha256 of the whole file, to compare with the copy an auditor receives. */
  readonly sha256: string;
  /** Whether the chain held while it was exported (the same checks as `verifyAuditChain`). */
  readonly intact: boolean;
  readonly broken: BrokenLink | null;
}

/**
 * Writes the chain as JSON lines: one line per event, the RFC 8785 canonical JSON of its body's
 * fields plus `prev_hash` and `hash`, in id order; then a last line `{"head":{...}}` with the count
 * and the head hash. Events are written as stored even where the chain is broken, so the file shows
 * what the database holds; `intact` and `broken` say whether it would verify. The file appears
 * only once complete (written beside it, then renamed).
 */
export async function exportAuditChain(
  store: { readonly db: Kysely<Database> },
  file: string,
  options: { readonly batchSize?: number } = {},
): Promise<AuditExport> {
  let writer: StreamWriter;
  try {
    writer = new StreamWriter(file);
  } catch (cause) {
    throw cannotWrite(file, cause);
  }
  const digest = createHash('sha256');
  const write = async (text: string) => {
    digest.update(text, 'utf8');
    try {
      await writer.write(text);
    } catch (cause) {
      throw cannotWrite(file, cause);
    }
  };
  const checker = new ChainChecker();
  let events = 0;
  let last: { id: string; hash: string } | null = null;
  try {
    for await (const batch of auditBatches(store.db, options.batchSize ?? DEFAULT_BATCH)) {
      let text = '';
      for (const row of batch) {
        checker.check(row);
        text += `${exportLine(row)}\n`;
        events++;
        last = { id: row.id, hash: row.hash };
      }
      await write(text);
    }
    const head = {
      format: AUDIT_EXPORT_FORMAT,
      genesis: GENESIS_HASH,
      events,
      id: last?.id ?? null,
      hash: last?.hash ?? GENESIS_HASH,
    };
    await write(`${canonicalize({ head })!}\n`);
    try {
      await writer.close();
    } catch (cause) {
      throw cannotWrite(file, cause);
    }
  } catch (err) {
    writer.destroy();
    throw err;
  }
  return {
    file,
    events,
    head: last,
    sha256: digest.digest('hex'),
    intact: checker.broken === null,
    broken: checker.broken,
  };
}

/**
 * One event's line: the canonical JSON of its body's fields with prev_hash and hash. A body that
 * holds its columns is canonical, so the two keys are spliced in where they sort ("hash" between
 * details and id, "prev_hash" between id and subject); any other body is parsed and written again
 * (or kept as text when it is not JSON), and fails independent verification at that line.
 */
function exportLine(row: StoredAuditEvent): string {
  if (bodyMatchesColumns(row)) {
    const { tail } = bodyFrame(row);
    return (
      `${row.body.slice(0, row.body.length - tail.length + 1)},"hash":${JSON.stringify(row.hash)},` +
      `"id":${JSON.stringify(row.id)},"prev_hash":${JSON.stringify(row.prev_hash)},` +
      `"subject":${JSON.stringify(row.subject)}}`
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(row.body);
  } catch {
    parsed = undefined;
  }
  const fields =
    parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? { ...(parsed as Record<string, unknown>), prev_hash: row.prev_hash, hash: row.hash }
      : { id: row.id, body: row.body, prev_hash: row.prev_hash, hash: row.hash };
  return canonicalize(fields)!;
}

function cannotWrite(file: string, cause: unknown): DcassError {
  // The writer's own error already names the file and the operating system's reason.
  if (isDcassError(cause)) return cause;
  return new DcassError('USAGE', `cannot write the audit export ${file}`, {
    hint: 'choose a file in a folder that exists and that you can write to',
    cause,
  });
}
