import { sql } from 'kysely';
import { appendAuditEvent } from '../audit/append.js';
import { withOverrides, type LoadedCalendar } from '../config/calendar-file.js';
import type { ProfileRegistry } from '../config/profiles.js';
import type { Store } from '../db/connect.js';
import { writeCalendar } from '../ingest/load/calendar-sync.js';
import type { CalendarDay } from '../model/calendar.js';
import { parseBusinessDate } from '../model/dates.js';
import type { RuleSet } from '../reconcile/rule-set.js';
import { DcassError } from '../shared/errors.js';
import {
  changesInForce,
  insertChange,
  toOverride,
  type CalendarAction,
  type CalendarChange,
} from './changes.js';
import { rederiveTrades, type Rederivation } from './rederive.js';

/** One declared change: what happens to which date, why, and who says so. */
export interface CalendarChangeRequest {
  readonly action: CalendarAction;
  readonly date: string;
  readonly reason: string;
  /** Already resolved and normalised (resolveActor). */
  readonly actor: string;
}

/** What changing the calendar needs: the store, the calendar file, the profiles and the rule set runs use. */
export interface CalendarChangeContext {
  readonly store: Store;
  readonly calendar: LoadedCalendar;
  readonly profiles: ProfileRegistry;
  readonly ruleSet: RuleSet;
}

/** A date's state in the calendar: trading, after-hours session, and why. */
export interface DayState {
  readonly trading: boolean;
  readonly afterHours: boolean;
  readonly note: string | null;
}

/** What a calendar change did, for the operator: the files re-derived and what must be run again. */
export interface CalendarChangeOutcome {
  readonly change: CalendarChange;
  readonly before: DayState;
  readonly after: DayState;
  readonly files: readonly Rederivation[];
  /** Business dates whose trades changed and that are trading days: run them again. */
  readonly runAgain: readonly string[];
  /** Business dates whose trades changed but that are no longer trading days (a run is refused). */
  readonly noLongerTrading: readonly string[];
  /** The reconciliations of the rule set that read the trades that moved. */
  readonly reconciliations: readonly string[];
  /** Runs already made of the changed date, when it is closed now: their breaks stay until resolved. */
  readonly runsOfClosedDate: number;
  /** For a fallback: the dates it puts on Genium INET again and the upgraded days before it; else null. */
  readonly fallback: FallbackOutcome | null;
}

/** What a fallback changed: the platform of its date and every later one. */
export interface FallbackOutcome {
  /** The first Genium INET date again. */
  readonly from: string;
  /** The last date the calendar covers, now on Genium INET too. */
  readonly to: string;
  /** The trading days on the upgraded platform before the fallback: their post-trades are to be entered again on Genium. */
  readonly upgradedDays: readonly string[];
}

/** Key of the transaction lock that serialises calendar changes of a market. */
const lockKey = (market: string) => `calendar-change|${market}`;

/**
 * Records a calendar change (close, open, half-day) and applies it, all in one transaction: the
 * change row, the calendar table rewritten with every change in force, a new derived generation of
 * each current BOS trades file whose clearing dates the change moves, and the audit event.
 * Refuses (DcassError) a date the calendar does not cover, an empty reason, and a change that would
 * leave the date as it is.
 */
export async function changeCalendar(
  ctx: CalendarChangeContext,
  request: CalendarChangeRequest,
): Promise<CalendarChangeOutcome> {
  const date = checkDate(ctx.calendar, request.date);
  const reason = request.reason.trim();
  if (reason === '') {
    throw new DcassError('USAGE', 'a calendar change needs a reason', {
      hint: 'say why, e.g. --reason "typhoon signal 8 hoisted 06:10, market closed all day"',
    });
  }
  const market = ctx.calendar.market;
  return ctx.store.transaction(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${lockKey(market)}))`.execute(tx.db);
    const before = withOverrides(ctx.calendar, (await changesInForce(tx.db, market)).map(toOverride));
    const was = dayOf(before, date);
    const fileDay = dayOf(ctx.calendar, date);
    if (request.action === 'fallback') checkFallback(date, was);
    const next = stateAfter(request.action, fileDay, was);
    if (request.action !== 'fallback' && next.trading === was.trading && next.afterHours === was.afterHours) {
      throw new DcassError('USAGE', `${date} is already ${describeDayState(was)}: nothing to change`, {
        hint: 'see the changes in force with: dcass-recon calendar list',
      });
    }
    const change = await insertChange(tx.db, {
      market,
      date,
      action: request.action,
      trading: next.trading,
      afterHours: next.afterHours,
      reason,
      actor: request.actor,
    });
    const after = await writeCalendar(tx, ctx.calendar);
    const files = await rederiveTrades(tx, {
      changeId: change.id,
      date,
      before,
      after,
      derivingProfiles: ctx.profiles
        .all()
        .filter((p) => p.entity === 'trades' && p.fields.clearingDate === undefined)
        .map((p) => p.name),
    });
    const changed = [...new Set(files.flatMap((f) => f.moves.flatMap((m) => [m.from, m.to])))].filter(
      (d): d is string => d !== null,
    );
    changed.sort();
    const runAgain = changed.filter((d) => dayOf(after, d).trading);
    const noLongerTrading = changed.filter((d) => !dayOf(after, d).trading);
    const isNow = dayOf(after, date);
    const runsOfClosedDate = isNow.trading ? 0 : await countRuns(tx.db, date);
    const fallback = request.action === 'fallback' ? fallbackOutcome(after, date) : null;
    // Dates already run as upgraded ones are Genium dates now: their runs compared the wrong system.
    if (fallback !== null)
      runAgain.push(...(await runDatesFrom(tx.db, date)).filter((d) => dayOf(after, d).trading));
    const outcome: CalendarChangeOutcome = {
      change,
      before: was,
      after: isNow,
      files,
      runAgain,
      noLongerTrading,
      reconciliations: files.length === 0 ? [] : tradeReconciliations(ctx.ruleSet, files),
      runsOfClosedDate,
      fallback,
    };
    await appendAuditEvent(tx.db, {
      actor: request.actor,
      action: `calendar.${request.action}`,
      subject: `calendar:${market}:${date}`,
      details: auditDetails(outcome),
    });
    return outcome;
  });
}

/**
 * The state a change gives a date: `open` keeps the file's half day of a day the file trades; a
 * fallback keeps the date's state as it is.
 */
function stateAfter(
  action: CalendarAction,
  fileDay: CalendarDay,
  was: CalendarDay,
): { trading: boolean; afterHours: boolean } {
  switch (action) {
    case 'fallback':
      return { trading: was.trading, afterHours: was.afterHours };
    case 'close':
      return { trading: false, afterHours: false };
    case 'half-day':
      return { trading: true, afterHours: false };
    case 'open':
      return { trading: true, afterHours: fileDay.trading ? fileDay.afterHours : true };
  }
}

/** How a date's state reads in a sentence: "closed", "a trading day without T+1 session", ... */
export function describeDayState(d: { trading: boolean; afterHours: boolean }): string {
  if (!d.trading) return 'closed (not a trading day)';
  return d.afterHours
    ? 'a trading day with a T+1 evening session'
    : 'a trading day without a T+1 evening session';
}

/** A fallback starts on a date of the upgraded platform: a Genium date (or one before the cutover) is refused. */
function checkFallback(date: string, was: CalendarDay): void {
  if (was.platform === 'upgraded') return;
  throw new DcassError(
    'USAGE',
    was.platform === 'genium'
      ? `${date} is already a Genium INET date: nothing to fall back`
      : `${date} is between the last Genium INET date and the first upgraded date: nothing to fall back`,
    { hint: 'a fallback names the first business date on Genium INET again; see dcass-recon calendar list' },
  );
}

/** The dates a fallback puts on Genium INET, and the upgraded trading days before it. */
function fallbackOutcome(after: LoadedCalendar, from: string): FallbackOutcome {
  return {
    from,
    to: after.calendar.last,
    upgradedDays: after.days
      .filter((d) => d.date < from && d.platform === 'upgraded' && d.trading)
      .map((d) => d.date),
  };
}

/** The business dates from a date on that runs were made of, in date order. */
async function runDatesFrom(db: Parameters<typeof appendAuditEvent>[0], date: string): Promise<string[]> {
  const r = await sql<{ d: string }>`
    SELECT DISTINCT to_char(business_date, 'YYYY-MM-DD') AS d FROM recon_run
    WHERE business_date >= ${date}::date ORDER BY 1`.execute(db);
  return r.rows.map((row) => row.d);
}

function checkDate(cal: LoadedCalendar, text: string): string {
  parseBusinessDate(text, null);
  if (!cal.calendar.covers(text)) {
    throw new DcassError(
      'CALENDAR_MISSING_DATE',
      `${text} is outside the calendar file (${cal.calendar.first}..${cal.calendar.last})`,
      { hint: 'configure a calendar file that covers the date' },
    );
  }
  return text;
}

function dayOf(cal: LoadedCalendar, date: string): CalendarDay {
  const d = cal.calendar.day(date);
  if (!d.ok) throw new DcassError('CALENDAR_MISSING_DATE', d.issue.message);
  return d.value;
}

async function countRuns(db: Parameters<typeof appendAuditEvent>[0], date: string): Promise<number> {
  const r = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM recon_run WHERE business_date = ${date}::date`.execute(db);
  return r.rows[0]?.n ?? 0;
}

/** The reconciliations that read trades of the re-derived files' sources (directly or rolled forward). */
function tradeReconciliations(ruleSet: RuleSet, files: readonly Rederivation[]): string[] {
  const sources = new Set<string>(files.map((f) => f.source));
  return ruleSet.reconciliations
    .filter((r) =>
      [r.left, r.right].some(
        (side) =>
          // An exchange side reads DCASS or Genium trades, by the date's platform.
          (side.source === 'exchange'
            ? sources.has('dcass') || sources.has('genium')
            : sources.has(side.source)) &&
          (r.entity === 'trades' || side.rollForward),
      ),
    )
    .map((r) => r.name);
}

function auditDetails(o: CalendarChangeOutcome) {
  return {
    changeId: o.change.id,
    date: o.change.date,
    reason: o.change.reason,
    before: { trading: o.before.trading, afterHours: o.before.afterHours, note: o.before.note },
    after: { trading: o.after.trading, afterHours: o.after.afterHours },
    files: o.files.map((f) => ({
      file: f.fileName,
      businessDate: f.businessDate,
      replaced: f.replacedId,
      derived: f.derivedId,
      dataDigest: f.dataDigest,
      moves: f.moves.map((m) => ({ from: m.from, to: m.to, code: m.code, trades: m.trades })),
    })),
    runAgain: [...o.runAgain],
    fallback:
      o.fallback === null
        ? null
        : { from: o.fallback.from, to: o.fallback.to, upgradedDays: [...o.fallback.upgradedDays] },
    noLongerTrading: [...o.noLongerTrading],
    reconciliations: [...o.reconciliations],
  };
}
