import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { DcassError } from '../shared/errors.js';
import { ChainChecker, type BrokenLink } from './chain.js';
import { auditBatches, auditHead, DEFAULT_BATCH } from './read.js';
import { verifyLoadedData, type DataVerification } from './verify-data.js';
import { verifyRegister, type RegisterVerification } from './verify-register.js';

/** The outcome of walking the chain. */
export interface AuditVerification {
  /** True when every event chains from the one before it and the expected head (if given) is in it. */
  readonly intact: boolean;
  /** Events stored. */
  readonly events: number;
  /** Events found intact from the first, in order (all of them when intact). */
  readonly verified: number;
  /** The last stored event; null for an empty chain. */
  readonly head: { readonly id: string; readonly hash: string } | null;
  /** The first broken link; null when intact. */
  readonly broken: BrokenLink | null;
}

/** How to verify. */
export interface VerifyAuditOptions {
  /**
   * A head hash kept elsewhere (an evidence pack, an earlier export): it must be in the chain. The
   * full 64 hex digits, or a unique prefix of at least 12 (checked with checkHeadHash).
   */
  readonly expectedHead?: string;
  readonly batchSize?: number;
  /** Called after each batch with the events verified so far. */
  readonly onProgress?: (verified: number) => void;
}

/** The fewest hex digits of a head hash accepted as a prefix: 48 bits, unique in any real chain. */
const MIN_HEAD_PREFIX = 12;

/**
 * A head hash as a person passes it: lower-case hex, the full 64 digits or a prefix of at least 12.
 * Anything else is a usage error saying so, never a broken chain: a typo is not a tamper alarm.
 */
export function checkHeadHash(value: string): string {
  const hex = value.trim().toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex) || hex.length > 64) {
    throw new DcassError(
      'USAGE',
      `--head "${value}" is not a hash: a head hash is 64 hex digits (0-9, a-f)`,
      {
        hint: `give the head hash as printed by audit verify, or its first ${MIN_HEAD_PREFIX} digits or more`,
      },
    );
  }
  if (hex.length < MIN_HEAD_PREFIX) {
    throw new DcassError(
      'USAGE',
      `--head ${hex} is not a full hash and too short a prefix: ${hex.length} hex digits, at least ${MIN_HEAD_PREFIX} are needed`,
      { hint: 'give the full 64-digit head hash as printed by audit verify (or more of its digits)' },
    );
  }
  return hex;
}

/**
 * Walks the audit chain from the first event in batches and names the first broken link: a gap in
 * ids, a prev_hash mismatch, a hash mismatch or a body that disagrees with its row. Works on a
 * store or inside a transaction (anything with `db`).
 */
export async function verifyAuditChain(
  store: { readonly db: Kysely<Database> },
  options: VerifyAuditOptions = {},
): Promise<AuditVerification> {
  const checker = new ChainChecker();
  const wanted = options.expectedHead === undefined ? undefined : checkHeadHash(options.expectedHead);
  const prefix = wanted !== undefined && wanted.length < 64;
  // Events whose hash is (or, for a prefix, starts with) the expected head; two are enough to tell.
  const matches: { id: string; hash: string }[] = [];
  let last: { id: string; hash: string } | null = null;
  walk: for await (const batch of auditBatches(store.db, options.batchSize ?? DEFAULT_BATCH)) {
    for (const row of batch) {
      if (!checker.check(row)) break walk;
      if (wanted !== undefined && matches.length < 2 && row.hash.startsWith(wanted)) matches.push(row);
      last = row;
    }
    options.onProgress?.(checker.verified);
  }
  if (checker.broken !== null) {
    const stored = await auditHead(store.db);
    return { intact: false, ...stored, verified: checker.verified, broken: checker.broken };
  }
  const head = last === null ? null : { id: last.id, hash: last.hash };
  if (prefix) resolvePrefix(wanted!, matches);
  if (wanted !== undefined && matches.length === 0) {
    return {
      intact: false,
      events: checker.verified,
      verified: checker.verified,
      head,
      broken: {
        id: head?.id ?? '0',
        problem: 'head',
        expected: wanted!,
        found: checker.head,
        message: `the chain does not contain the expected head hash ${wanted!}: events up to it were removed or rewritten (the chain's head is ${checker.head})`,
      },
    };
  }
  return { intact: true, events: checker.verified, verified: checker.verified, head, broken: null };
}

/**
 * A prefix names one event of an intact chain, or the caller is told what is wrong with the value: a
 * prefix found nowhere may be a typo as well as a removed event, so it is not reported as a broken
 * chain; the full hash is what proves it.
 */
function resolvePrefix(prefix: string, matches: readonly { id: string; hash: string }[]): void {
  if (matches.length > 1) {
    throw new DcassError(
      'USAGE',
      `--head ${prefix} is ambiguous: the hashes of events ${matches.map((m) => m.id).join(' and ')} both start with it`,
      { hint: 'give more digits, or the full 64-digit head hash' },
    );
  }
  if (matches.length === 0) {
    throw new DcassError('USAGE', `--head ${prefix} is not a full hash, and no event's hash starts with it`, {
      hint: 'check the digits against where the head hash was kept; give the full 64-digit hash: a full hash missing from the chain means events up to it were removed or rewritten',
    });
  }
}

/** Everything `audit verify` checks: the chain, the register against its events, and optionally the loaded data. */
export interface IntegrityVerification {
  /** True when the chain is intact, the register consistent and (when checked) the data unchanged. */
  readonly intact: boolean;
  readonly chain: AuditVerification;
  readonly register: RegisterVerification;
  /** Null when the loaded data was not checked (it reads every stored row). */
  readonly data: DataVerification | null;
}

/**
 * The audit chain, then the break register replayed from its events, then (with `data`) every loaded
 * file's rows against the digest taken at load.
 */
export async function verifyIntegrity(
  store: { readonly db: Kysely<Database> },
  options: VerifyAuditOptions & { readonly data?: boolean } = {},
): Promise<IntegrityVerification> {
  const chain = await verifyAuditChain(store, options);
  const register = await verifyRegister(store.db);
  const data = options.data === true ? await verifyLoadedData(store.db) : null;
  return {
    intact: chain.intact && register.consistent && (data?.intact ?? true),
    chain,
    register,
    data,
  };
}
