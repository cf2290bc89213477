import { sql } from 'kysely';
import { normaliseActor, samePerson } from '../audit/actor.js';
import { appendAuditEvent } from '../audit/append.js';
import type { Store, StoreTransaction } from '../db/connect.js';
import type { BreakStatus } from '../model/vocabulary.js';
import { DcassError } from '../shared/errors.js';
import { REGISTER_LOCK } from './locks.js';
import { checkBreakId } from './register.js';

/** What a person can do to a break. */
export const BREAK_ACTIONS = ['comment', 'assign', 'explain', 'resolve', 'reopen'] as const;
export type PersonAction = (typeof BREAK_ACTIONS)[number];

/** The team's rules for break actions (configuration `breaks:`). */
export interface BreakPolicy {
  /** Reason codes people may give; any code (or none) when empty. */
  readonly reasonCodes: readonly string[];
  /**
   * A break is resolved only once a person explained it and by another person: never from open,
   * never after a rule's explanation alone, never by anyone who explained it since it was last
   * detected or cleared (even before a reopen).
   */
  readonly fourEyes: boolean;
}

export interface BreakActionRequest {
  readonly breakId: string;
  readonly action: PersonAction;
  /** Always recorded: --actor, else the configuration, else the OS user. */
  readonly actor: string;
  /** Why: the comment itself, the explanation, the resolution, the reason to reopen or assign. */
  readonly reason: string;
  readonly reasonCode?: string;
  /** Who the break is assigned to (assign only). */
  readonly assignee?: string;
}

/** The break's state after the action, and the event that recorded it. */
export interface BreakActionResult {
  readonly breakId: string;
  readonly eventId: string;
  readonly from: BreakStatus;
  readonly status: BreakStatus;
}

type CaseRow = {
  status: BreakStatus;
  reason: string | null;
  reason_code: string | null;
  explained_by: string | null;
  assignee: string | null;
  last_seen_run: string;
  last_seen_date: string;
};

// Which statuses each action may start from: resolving or explaining a cleared break makes no sense
// (the data agree now); reopening an open one would record nothing.
const FROM: Record<PersonAction, readonly BreakStatus[]> = {
  comment: ['open', 'explained', 'resolved', 'cleared'],
  assign: ['open', 'explained', 'resolved', 'cleared'],
  explain: ['open', 'explained'],
  resolve: ['open', 'explained'],
  reopen: ['explained', 'resolved', 'cleared'],
};

function refuse(message: string, hint: string): never {
  throw new DcassError('USAGE', message, { hint });
}

/** The case's state after the action; refuses actions its rules do not allow. */
function nextState(
  c: CaseRow,
  req: BreakActionRequest,
  policy: BreakPolicy,
  explainers: readonly string[],
): CaseRow {
  const id = req.breakId;
  if (!FROM[req.action].includes(c.status)) {
    refuse(
      `break ${id} is ${c.status}: it cannot be ${req.action === 'reopen' ? 'reopened' : `given "${req.action}"`}`,
      `${req.action} applies to ${FROM[req.action].join(', ')} breaks; dcass-recon breaks show ${id} prints its history`,
    );
  }
  switch (req.action) {
    case 'comment':
      return c;
    case 'assign':
      return { ...c, assignee: req.assignee! };
    case 'explain':
      return {
        ...c,
        status: 'explained',
        reason: req.reason,
        reason_code: req.reasonCode ?? null,
        explained_by: req.actor,
      };
    case 'resolve':
      if (policy.fourEyes) checkFourEyes(c, req, explainers);
      return { ...c, status: 'resolved', reason: req.reason, reason_code: req.reasonCode ?? null };
    case 'reopen':
      return { ...c, status: 'open', reason: null, reason_code: null, explained_by: null };
  }
}

/** A rule's explanation (`rule:NAME`) is no person's. */
const byRule = (name: string) => name.startsWith('rule:');

/**
 * The four-eyes rule on resolving: the break is explained now, by a person, and the resolver has
 * not explained it at any time since it was last detected or cleared (`explainers`, in order).
 */
function checkFourEyes(c: CaseRow, req: BreakActionRequest, explainers: readonly string[]): void {
  const id = req.breakId;
  const how = `one person explains it (dcass-recon breaks explain ${id} --reason ...), another resolves it (breaks.fourEyes in the configuration)`;
  if (c.status !== 'explained' || c.explained_by === null) {
    refuse(
      `break ${id} is ${c.status}, not explained: four-eyes rule, one person explains a break and another resolves it; ${req.actor} cannot resolve it alone`,
      how,
    );
  }
  if (byRule(c.explained_by)) {
    refuse(
      `break ${id} was explained by ${c.explained_by}, not by a person: four-eyes rule, a person must explain it before another resolves it`,
      how,
    );
  }
  if (samePerson(c.explained_by, req.actor)) {
    refuse(
      `break ${id} was explained by ${c.explained_by}: four-eyes rule, another person must resolve it, not ${req.actor}`,
      `ask a colleague to review and resolve it; ${how}`,
    );
  }
  const earlier = explainers.find((name) => !byRule(name) && samePerson(name, req.actor));
  if (earlier !== undefined) {
    refuse(
      `break ${id} was explained earlier by ${earlier}: four-eyes rule, another person must resolve it, not ${req.actor}`,
      `a person who explained a break cannot resolve it, even after it was reopened and explained again by someone else; ask a colleague who has not explained it`,
    );
  }
}

/** The names of the break's explanations since it was last detected or cleared (with its row lock held). */
async function explainersSinceDetected(db: StoreTransaction['db'], breakId: string): Promise<string[]> {
  const rows = await sql<{ actor: string }>`SELECT e.actor FROM break_event e
    WHERE e.case_id = ${breakId}::bigint AND e.action = 'explain'
      AND e.id > coalesce((SELECT max(d.id) FROM break_event d
                           WHERE d.case_id = ${breakId}::bigint AND d.action IN ('detected', 'cleared')), 0)
    ORDER BY e.id`.execute(db);
  return rows.rows.map((r) => r.actor);
}

/** The request with its names as recorded; refuses what cannot be recorded. */
function checkRequest(req: BreakActionRequest, policy: BreakPolicy): BreakActionRequest {
  checkBreakId(req.breakId);
  const actor = normaliseActor(req.actor, 'the actor');
  if (req.reason.trim() === '') {
    refuse(
      `"${req.action}" needs a reason`,
      'give --reason "what and why", e.g. --reason "BOS booked 10, corrected"',
    );
  }
  if (req.action === 'assign' && (req.assignee === undefined || req.assignee.trim() === '')) {
    refuse('assign needs the person to assign the break to', 'give --to NAME');
  }
  const assignee = req.assignee === undefined ? {} : { assignee: normaliseActor(req.assignee, '--to') };
  if (
    req.reasonCode !== undefined &&
    policy.reasonCodes.length > 0 &&
    !policy.reasonCodes.includes(req.reasonCode)
  ) {
    refuse(
      `reason code "${req.reasonCode}" is not one of the configured codes`,
      `choose from ${policy.reasonCodes.join(', ')} (breaks.reasonCodes in the configuration)`,
    );
  }
  return { ...req, actor, ...assignee };
}

/**
 * Records a person's action on a break: one break_event with the break's whole state after it, and the
 * register's current state, in one transaction with its audit trail event. The transaction first takes
 * the register's lock (REGISTER_LOCK), which a run holds from its start
 * until it commits: an action waits for a run in progress and then acts on the state the
 * run left, and a run never overwrites an action with a state it read before it. Actions on the same
 * break are serialised by that lock as well (and the case row is read FOR UPDATE).
 */
export async function applyBreakAction(
  store: Store,
  request: BreakActionRequest,
  policy: BreakPolicy,
): Promise<BreakActionResult> {
  const req = checkRequest(request, policy);
  return store.transaction(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${REGISTER_LOCK}::bigint)`.execute(tx.db);
    const found =
      await sql<CaseRow>`SELECT status, reason, reason_code, explained_by, assignee, last_seen_run::text AS last_seen_run,
        to_char(last_seen_date, 'YYYY-MM-DD') AS last_seen_date
      FROM break_case WHERE id = ${req.breakId}::bigint FOR UPDATE`.execute(tx.db);
    const current = found.rows[0];
    if (current === undefined) {
      refuse(
        `no break ${req.breakId} in the register`,
        'dcass-recon breaks list shows the breaks and their ids',
      );
    }
    const explainers =
      req.action === 'resolve' && policy.fourEyes ? await explainersSinceDetected(tx.db, req.breakId) : [];
    const next = nextState(current, req, policy, explainers);
    await tx.db
      .updateTable('break_case')
      .set({
        status: next.status,
        reason: next.reason,
        reason_code: next.reason_code,
        explained_by: next.explained_by,
        assignee: next.assignee,
      })
      .where('id', '=', req.breakId)
      .execute();
    const event = await tx.db
      .insertInto('break_event')
      .values({
        case_id: req.breakId,
        run_id: null,
        actor: req.actor,
        action: req.action,
        note: req.reason,
        status: next.status,
        reason: next.reason,
        reason_code: next.reason_code,
        explained_by: next.explained_by,
        assignee: next.assignee,
        last_seen_run: next.last_seen_run,
        last_seen_date: next.last_seen_date,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const result = {
      breakId: req.breakId,
      eventId: String(event.id),
      from: current.status,
      status: next.status,
    };
    await appendAuditEvent(tx.db, {
      actor: req.actor,
      action: `break.${req.action}`,
      subject: `break:${req.breakId}`,
      details: {
        event: result.eventId,
        from: result.from,
        status: result.status,
        reason: req.reason,
        code: req.reasonCode ?? null,
        assignee: req.assignee ?? null,
      },
    });
    return result;
  });
}
