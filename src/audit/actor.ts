import { z } from 'zod';
import { DcassError } from '../shared/errors.js';
import { osIdentity } from '../shared/os-identity.js';

const MAX_ACTOR_LENGTH = 200;
// Control characters (Cc) would let a name rewrite the lines it is printed on (reports, terminals);
// invisible format characters (Cf: zero-width space and joiners, byte-order mark, word joiner, bidi
// controls) would let `alice` and `alice` with a hidden character pass as two people.
const INVISIBLE = /[\p{Cc}\p{Cf}]/u;
const INVISIBLE_ALL = /[\p{Cc}\p{Cf}]/gu;
// Not String.prototype.trim: it also strips U+FEFF, an invisible character that is refused instead.
const SURROUNDING_SPACE = /^\p{White_Space}+|\p{White_Space}+$/gu;

/**
 * A name as the product records it: Unicode NFKC (so fullwidth `ａｌｉｃｅ` is `alice`, and a name
 * typed on another keyboard is one name), trimmed. The result is what is checked and stored.
 */
function normalActorText(name: string): string {
  return name.normalize('NFKC').replace(SURROUNDING_SPACE, '');
}

/** Why a normalised name cannot stand as an actor; null when it can. */
function actorProblem(name: string): string | null {
  if (name === '') return 'it is empty';
  if (name.length > MAX_ACTOR_LENGTH) return `it is longer than ${MAX_ACTOR_LENGTH} characters`;
  const bad = INVISIBLE.exec(name);
  if (bad !== null) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return `it holds the invisible or control character U+${code}`;
  }
  return null;
}

/** The configuration's `actor:` key: the same rules as --actor (NFKC, trimmed, nothing invisible). */
export const actorSchema = z
  .string()
  .transform(normalActorText)
  .superRefine((name, ctx) => {
    const problem = actorProblem(name);
    if (problem !== null) {
      ctx.addIssue({
        code: 'custom',
        message: `a name or login such as chan.tai.man, without invisible or control characters (${problem})`,
      });
    }
  });

/**
 * The name as recorded (NFKC, trimmed); throws a usage error when it cannot stand as an actor. `what`
 * says where it came from (`--actor`, the configuration's actor).
 */
export function normaliseActor(actor: string, what: string): string {
  const name = typeof actor === 'string' ? normalActorText(actor) : '';
  const problem = actorProblem(name);
  if (problem !== null) {
    throw new DcassError('USAGE', `${what} ${JSON.stringify(name)} is not a usable name: ${problem}`, {
      hint: `give a name or login of at most ${MAX_ACTOR_LENGTH} characters, without invisible or control characters`,
    });
  }
  return name;
}

/** Throws when a name is not one `normaliseActor` would record as it is. */
export function checkActor(actor: string, what: string): void {
  if (normaliseActor(actor, what) !== actor) {
    throw new DcassError('USAGE', `${what} ${JSON.stringify(actor)} is not in its normal form`, {
      hint: 'pass names through resolveActor or normaliseActor (Unicode NFKC, trimmed)',
    });
  }
}

/**
 * True when two recorded names are the same person: compared after NFKC, without invisible or
 * control characters (names recorded before they were refused), with runs of spaces as one, and
 * case-insensitively. The four-eyes rule asks this.
 */
export function samePerson(a: string, b: string): boolean {
  return personKey(a) === personKey(b);
}

function personKey(name: string): string {
  return name
    .normalize('NFKC')
    .replace(INVISIBLE_ALL, '')
    .replace(/\p{White_Space}+/gu, ' ')
    .replace(SURROUNDING_SPACE, '')
    .toLowerCase();
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
 * operating-system user running the process; normalised (`normaliseActor`) whichever it is.
 */
export function resolveActor(sources: ActorSources = {}): string {
  if (sources.flag !== undefined) return normaliseActor(sources.flag, '--actor');
  const configured = sources.config?.actor;
  if (configured !== undefined && configured !== null) {
    return normaliseActor(configured, "the configuration's actor");
  }
  return normaliseActor(osIdentity().user, 'the operating-system user');
}
