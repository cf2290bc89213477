import type { Store } from '../db/connect.js';

/** The operating-system account that wrote an event, beside its declared actor. */
export interface EventOsIdentity {
  /** Null for events recorded before the product recorded it. */
  readonly osUser: string | null;
  readonly osHost: string | null;
}

/** The operating-system user and host of each event of a break, by event id. */
export async function breakEventOsIdentities(
  store: Store,
  caseId: string,
): Promise<Map<string, EventOsIdentity>> {
  const rows = await store.db
    .selectFrom('break_event')
    .select(['id', 'os_user', 'os_host'])
    .where('case_id', '=', caseId)
    .execute();
  return new Map(rows.map((r) => [String(r.id), { osUser: r.os_user, osHost: r.os_host }]));
}

/** `user@host` as printed beside an actor; empty when neither was recorded. */
export function osIdentityText(os: EventOsIdentity | undefined): string {
  if (os === undefined || (os.osUser === null && os.osHost === null)) return '';
  return `${os.osUser ?? '?'}@${os.osHost ?? '?'}`;
}
