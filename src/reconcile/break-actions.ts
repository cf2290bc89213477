import { sql } from 'kysely';
import { appendAuditEvent } from '../audit/append.js';
import type { Store } from '../db/connect.js';
import type { BreakStatus } from '../db/tables/recon.table.js';
import { DcassError } from '../shared/errors.js';
import { checkBreakId } from './register.js';

/** What a person can do to a break. */
export const BREAK_ACTIONS = ['comment', 'assign', 'explain', 'resolve', 'reopen'] as const;
export type PersonAction = (typeof BREAK_ACTIONS)[number];

/** The team's rules for break actions (configuration `breaks:`). */
export interface BreakPolicy {
  /** Reason codes people may give; any code (or none) when empty. */
  readonly reasonCodes: readonly string[];
  /** Resolving a break explained by a person needs another person. */
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
function nextState(c: CaseRow, req: BreakActionRequest, policy: BreakPolicy): CaseRow {
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
      if (
        policy.fourEyes &&
        c.status === 'explained' &&
        c.explained_by !== null &&
        c.explained_by.toLowerCase() === req.actor.toLowerCase()
      ) {
        refuse(
          `break ${id} was explained by ${c.explained_by}: four-eyes rule, another person must resolve it`,
          'ask a colleague to review and resolve it (breaks.fourEyes in the configuration)',
        );
      }
      return { ...c, status: 'resolved', reason: req.reason, reason_code: req.reasonCode ?? null };
    case 'reopen':
      return { ...c, status: 'open', reason: null, reason_code: null, explained_by: null };
  }
}

function checkRequest(req: BreakActionRequest, policy: BreakPolicy): void {
  checkBreakId(req.breakId);
  if (req.actor.trim() === '') refuse('no actor for the break action', 'give --actor NAME');
  if (req.reason.trim() === '') {
    refuse(
      `"${req.action}" needs a reason`,
      'give --reason "what and why", e.g. --reason "BOS booked 10, corrected"',
    );
  }
  if (req.action === 'assign' && (req.assignee === undefined || req.assignee.trim() === '')) {
    refuse('assign needs the person to assign the break to', 'give --to NAME');
  }
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
}

/**
 * Records a person's action on a break: one break_event with the break's whole state after it, and the
 * register's current state, in one transaction (the case row locked, so two people acting at once are
 * serialised), with its audit trail event.
 */
export async function applyBreakAction(
  store: Store,
  req: BreakActionRequest,
  policy: BreakPolicy,
): Promise<BreakActionResult> {
  checkRequest(req, policy);
  return store.transaction(async (tx) => {
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
    const next = nextState(current, req, policy);
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
