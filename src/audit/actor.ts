import { userInfo } from 'node:os';
import { z } from 'zod';
import { DcassError } from '../shared/errors.js';

const MAX_ACTOR_LENGTH = 200;
// Control characters would let a name rewrite the lines it is printed on (reports, terminals).
const PRINTABLE = /^[^\p{Cc}]+$/u;

/** The configuration's `actor:` key: a person's name or login, printable, at most 200 characters. */
export const actorSchema = z
  .string()
  .trim()
  .min(1, 'a name or login, e.g. chan.tai.man')
  .max(MAX_ACTOR_LENGTH)
  .regex(PRINTABLE, 'a name without control characters');

/** Throws when a name cannot stand as an actor; `what` says where it came from. */
export function checkActor(actor: string, what: string): void {
  if (
    typeof actor !== 'string' ||
    actor.trim() === '' ||
    actor.length > MAX_ACTOR_LENGTH ||
    !PRINTABLE.test(actor)
  ) {
    throw new DcassError('USAGE', `${what} ${JSON.stringify(String(actor))} is not a usable name`, {
      hint: `give a name or login of at most ${MAX_ACTOR_LENGTH} characters, without control characters`,
    });
  }
}

/** Where the actor of recorded actions comes from, in order of precedence. */
export interface ActorSources {
  /** The `--actor` flag. */
  readonly flag?: string | undefined;
  /** The resolved configuration (its `actor:` key). */
  readonly config?: { readonly actor?: string | null | undefined } | null | undefined;
}

/**
 * Who is acting, for the audit trail: the `--actor` flag, else the configuration's `actor:`, else the
 * operating-system user running the process.
 */
export function resolveActor(sources: ActorSources = {}): string {
  if (sources.flag !== undefined) {
    const flag = sources.flag.trim();
    checkActor(flag, '--actor');
    return flag;
  }
  const configured = sources.config?.actor;
  if (configured !== undefined && configured !== null) {
    checkActor(configured, "the configuration's actor");
    return configured;
  }
  return osUser();
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    // A container user with no passwd entry has a uid but no name.
    return `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}
