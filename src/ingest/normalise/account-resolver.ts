import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { needsCopyEscape } from '../../db/copy.js';
import { fail, ok, type Result } from '../../shared/result.js';

/** One version of a client's mapping. */
export interface AccountMapping {
  readonly account: string;
  readonly type: 'NET' | 'GROSS';
  readonly effectiveFrom: string;
}

/** One row of the account map in force, as the database gives it. */
export interface AccountMapRow {
  readonly client_code: string;
  readonly dcass_account: string;
  readonly account_type: 'NET' | 'GROSS';
  readonly effective_from: string;
}

/** BOS client codes to DCASS accounts, as in force on a date (the latest effective_from on or before it). */
export class AccountResolver {
  private readonly byClient = new Map<string, AccountMapping[]>();
  /**
   * Each mapped client's last answer and the date it was for: a file's records share a date or two,
   * so most records of a client ask again what was just answered. One entry per mapped client at most.
   */
  private readonly last = new Map<
    string,
    { readonly date: string; readonly result: Result<AccountMapping> }
  >();

  /** Whether no account of the map holds a character COPY's text format escapes (checked once, not per row). */
  readonly plainAccounts: boolean;

  /** The rows it was made of: plain data, what the ingest worker makes its own resolver of. */
  readonly rows: readonly AccountMapRow[];

  constructor(rows: Iterable<AccountMapRow>) {
    this.rows = [...rows];
    for (const r of this.rows) {
      const list = this.byClient.get(r.client_code) ?? [];
      list.push({ account: r.dcass_account, type: r.account_type, effectiveFrom: r.effective_from });
      this.byClient.set(r.client_code, list);
    }
    let plain = true;
    for (const list of this.byClient.values()) {
      list.sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? 1 : -1));
      if (list.some((m) => needsCopyEscape(m.account))) plain = false;
    }
    this.plainAccounts = plain;
  }

  /** The account map of the files in force (not superseded); small enough to hold in memory. */
  static async load(db: Kysely<Database>): Promise<AccountResolver> {
    const rows = await db
      .selectFrom('account_map as m')
      .innerJoin('source_file as f', 'f.id', 'm.file_id')
      .where('f.superseded_by', 'is', null)
      .select(['m.client_code', 'm.dcass_account', 'm.account_type', 'm.effective_from'])
      .execute();
    return new AccountResolver(rows);
  }

  /** The mapping of a client on a date, or an issue saying why there is none. */
  resolve(clientCode: string, date: string): Result<AccountMapping> {
    const last = this.last.get(clientCode);
    if (last !== undefined && last.date === date) return last.result;
    const list = this.byClient.get(clientCode);
    if (!list) {
      return fail({
        code: 'UNMAPPED_ACCOUNT',
        field: 'clientCode',
        message: `client code "${clientCode}" is not in the account map`,
      });
    }
    const result = this.mapped(clientCode, list, date);
    this.last.set(clientCode, { date, result });
    return result;
  }

  /** The mapping of a client of the map on a date (see resolve). */
  private mapped(clientCode: string, list: readonly AccountMapping[], date: string): Result<AccountMapping> {
    const hit = list.find((m) => m.effectiveFrom <= date);
    if (!hit) {
      return fail({
        code: 'UNMAPPED_ACCOUNT',
        field: 'clientCode',
        message: `client code "${clientCode}" has no mapping effective on ${date} (first from ${list[list.length - 1]!.effectiveFrom})`,
      });
    }
    // Two mappings of one client from the same date to different accounts: the map does not say which
    // account the booking belongs to, and guessing would move a position quietly.
    const rival = list.find((m) => m.effectiveFrom === hit.effectiveFrom && m.account !== hit.account);
    if (rival) {
      const accounts = [hit.account, rival.account].sort().join(' and ');
      return fail({
        code: 'AMBIGUOUS_ACCOUNT',
        field: 'clientCode',
        message: `client code "${clientCode}" is mapped to both ${accounts} from ${hit.effectiveFrom}`,
      });
    }
    return ok(hit);
  }
}
