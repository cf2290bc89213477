import { sql } from 'kysely';
import type { Store } from '../db/connect.js';
import type { BreakFieldDiff } from '../db/tables/recon.table.js';
import type { BreakKind } from './rule-set.js';

/** A break of a run as the library hands it out; decimals and dates as strings. */
export interface Break {
  readonly id: string;
  readonly runId: string;
  readonly recon: string;
  readonly entity: 'trades' | 'positions';
  readonly kind: BreakKind;
  readonly pass: number | null;
  readonly key: Readonly<Record<string, string | null>>;
  readonly fields: readonly BreakFieldDiff[];
  readonly leftIds: readonly string[];
  readonly rightIds: readonly string[];
  readonly fingerprint: string;
  readonly status: 'open' | 'explained' | 'resolved' | 'cleared';
  readonly reason: string | null;
  readonly explainedBy: string | null;
  readonly firstSeenRun: string;
  readonly firstSeenDate: string;
}

const PAGE = 1000;

/**
 * The breaks of a run in their stable order (reconciliation as the run listed them, then key, kind
 * and record ids, compared bytewise so every server orders alike), streamed a page at a time.
 */
export async function* listBreaks(store: Store, runId: string): AsyncGenerator<Break> {
  for (let offset = 0; ; offset += PAGE) {
    // Offset paging over a fixed order: a run's breaks do not change once it completed.
    const page = await sql<{
      id: string;
      run_id: string;
      recon: string;
      entity: Break['entity'];
      kind: BreakKind;
      pass: number | null;
      key: Record<string, string | null>;
      fields: BreakFieldDiff[];
      left_ids: string[];
      right_ids: string[];
      fingerprint: string;
      status: Break['status'];
      reason: string | null;
      explained_by: string | null;
      first_seen_run: string;
      first_seen_date: string;
    }>`SELECT b.id, b.run_id, b.recon, b.entity, b.kind, b.pass, b.key, b.fields, b.left_ids::text[] AS left_ids,
        b.right_ids::text[] AS right_ids, b.fingerprint, b.status, b.reason, b.explained_by, b.first_seen_run,
        to_char(b.first_seen_date, 'YYYY-MM-DD') AS first_seen_date
      FROM recon_break b JOIN recon_run r ON r.id = b.run_id
      WHERE b.run_id = ${runId}::bigint
      ORDER BY array_position(r.recons, b.recon), b.key::text COLLATE "C", b.kind COLLATE "C", b.left_ids, b.right_ids, b.id
      LIMIT ${PAGE} OFFSET ${offset}`.execute(store.db);
    for (const b of page.rows) {
      yield {
        id: String(b.id),
        runId: String(b.run_id),
        recon: b.recon,
        entity: b.entity,
        kind: b.kind,
        pass: b.pass,
        key: b.key,
        fields: b.fields,
        leftIds: b.left_ids,
        rightIds: b.right_ids,
        fingerprint: b.fingerprint,
        status: b.status,
        reason: b.reason,
        explainedBy: b.explained_by,
        firstSeenRun: String(b.first_seen_run),
        firstSeenDate: b.first_seen_date,
      };
    }
    if (page.rows.length < PAGE) return;
  }
}
