import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
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
  /** A head hash kept elsewhere (an evidence pack, an earlier export): it must be in the chain. */
  readonly expectedHead?: string;
  readonly batchSize?: number;
  /** Called after each batch with the events verified so far. */
  readonly onProgress?: (verified: number) => void;
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
  const wanted = options.expectedHead?.trim().toLowerCase();
  let seenWanted = wanted === undefined;
  let last: { id: string; hash: string } | null = null;
  walk: for await (const batch of auditBatches(store.db, options.batchSize ?? DEFAULT_BATCH)) {
    for (const row of batch) {
      if (!checker.check(row)) break walk;
      if (!seenWanted && row.hash === wanted) seenWanted = true;
      last = row;
    }
    options.onProgress?.(checker.verified);
  }
  if (checker.broken !== null) {
    const stored = await auditHead(store.db);
    return { intact: false, ...stored, verified: checker.verified, broken: checker.broken };
  }
  const head = last === null ? null : { id: last.id, hash: last.hash };
  if (!seenWanted) {
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
