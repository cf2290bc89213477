import { hash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** The previous hash of the first event: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** A JSON value an audit event may carry: exact values only (decimals travel as strings). */
export type AuditValue =
  | string
  | number
  | boolean
  | null
  | readonly AuditValue[]
  | { readonly [key: string]: AuditValue | undefined };

/** What an action records beyond actor, action and subject (keys with undefined are left out). */
export type AuditDetails = { readonly [key: string]: AuditValue | undefined };

/** One event as hashed: the body is the canonical JSON of exactly these fields. */
export interface AuditEvent {
  /** Position in the chain, from 1 (a decimal string, as every 64-bit id of the product). */
  readonly id: string;
  /** When the database recorded it: UTC, microseconds, `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly details: AuditDetails;
}

/** The keys of a body, sorted as RFC 8785 sorts them. */
const BODY_KEYS = ['action', 'actor', 'at', 'details', 'id', 'subject'] as const;

/**
 * The key of `details` that holds the operating-system user and host of the process that appended
 * the event (`{"host":H,"user":U}`), written by the appender alone and repeated by the os_user and
 * os_host columns. Inside details, so the hash covers it and a body written before it existed keeps
 * the same shape and still verifies.
 */
export const OS_KEY = '_os';

/** Action names: dotted lower-case words (`ingest.loaded`, `break.resolve`); the table checks the same. */
export const ACTION_PATTERN = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$/;

/** The RFC 8785 canonical JSON of an event: the bytes its hash covers. */
export function eventBody(event: AuditEvent): string {
  const body = canonicalize({
    id: event.id,
    at: event.at,
    actor: event.actor,
    action: event.action,
    subject: event.subject,
    details: event.details,
  });
  // canonicalize returns undefined only for a top-level undefined or function; ours is an object.
  if (body === undefined) throw new TypeError('the audit event cannot be written as JSON');
  return body;
}

/** sha256, in lower-case hex, of the previous hash followed by the body (both as UTF-8). */
export function chainHash(prevHash: string, body: string): string {
  // The one-shot form: about twice as fast as createHash().update().digest() for small inputs.
  return hash('sha256', prevHash + body, 'hex');
}

/**
 * Refuses values that would not survive an independent check exactly: numbers other than safe
 * integers (a float's text differs between languages; decimals belong in strings), and anything
 * that is not plain JSON (dates, maps, class instances).
 */
export function assertExactDetails(value: unknown, path = 'details'): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new TypeError(`audit ${path}: ${value} is not an exact integer; write decimals as strings`);
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertExactDetails(v, `${path}[${i}]`));
    return;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError(`audit ${path}: only plain objects, arrays, strings, integers, booleans and null`);
    }
    for (const [k, v] of Object.entries(value)) if (v !== undefined) assertExactDetails(v, `${path}.${k}`);
    return;
  }
  throw new TypeError(`audit ${path}: a ${typeof value} is not JSON`);
}

/** A stored event as read back: the columns, `at` rendered as in the body. */
export interface StoredAuditEvent {
  readonly id: string;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly body: string;
  readonly prev_hash: string;
  readonly hash: string;
  /** Null (both) for an event recorded before the operating-system identity was. */
  readonly os_user: string | null;
  readonly os_host: string | null;
}

/** What is wrong at a broken link. */
export type BrokenLinkProblem = 'gap' | 'prev_hash' | 'hash' | 'body' | 'head';

/** The first place where the chain does not hold, with what was expected there and what was found. */
export interface BrokenLink {
  /** The event at which the chain breaks (for a gap: the event found where the missing one should be). */
  readonly id: string;
  readonly problem: BrokenLinkProblem;
  readonly expected: string;
  readonly found: string;
  readonly message: string;
}

/**
 * The parts of a body that its row's columns determine: everything before the details object and
 * everything after it. A body holds exactly its columns when it is `head + details + tail` (keys
 * sorted as RFC 8785 sorts them; strings written as canonicalize writes them, by JSON.stringify).
 * Rendering the columns and comparing text is exact and much cheaper than parsing every body.
 */
export function bodyFrame(row: Pick<StoredAuditEvent, 'id' | 'at' | 'actor' | 'action' | 'subject'>): {
  head: string;
  tail: string;
} {
  return {
    head: `{"action":${jsonString(row.action)},"actor":${jsonString(row.actor)},"at":${jsonString(row.at)},"details":{`,
    tail: `},"id":${jsonString(row.id)},"subject":${jsonString(row.subject)}}`,
  };
}

/**
 * True when the body is the canonical JSON of the row's columns around a details object:
 * `{"action":A,"actor":B,"at":T,"details":{...},"id":N,"subject":S}`, and its details' `_os` holds
 * the os_user and os_host columns (no `_os` when both are null). Runs once per event, so the common
 * case (values JSON writes as they are) compares in place, piece by piece, with no string built; a
 * value that JSON escapes is compared through its rendered frame.
 */
export function bodyMatchesColumns(row: StoredAuditEvent): boolean {
  const { body, action, actor, at, id, subject } = row;
  if (NEEDS_ESCAPE.test(action) || NEEDS_ESCAPE.test(actor) || NEEDS_ESCAPE.test(subject)) {
    const { head, tail } = bodyFrame(row);
    const framed = body.length >= head.length + tail.length && body.startsWith(head) && body.endsWith(tail);
    return framed && osMatches(row, head.length);
  }
  // at and id come from the database as to_char and bigint text: digits, '-', ':', '.', 'T', 'Z'.
  let p = piece(body, 0, '{"action":"');
  p = piece(body, piece(body, piece(body, p, action), '","actor":"'), actor);
  p = piece(body, piece(body, piece(body, p, '","at":"'), at), '","details":{');
  if (p < 0) return false;
  // The tail, `},"id":"N","subject":"S"}`, is 23 characters around the two values.
  const tail = body.length - (id.length + subject.length + 23);
  if (tail < p) return false;
  let q = piece(body, piece(body, piece(body, tail, '},"id":"'), id), '","subject":"');
  q = piece(body, piece(body, q, subject), '"}');
  return q === body.length && osMatches(row, p);
}

/**
 * True when the details object starting at `details` holds the row's operating-system identity. The
 * appender's keys sort after `_`, so `_os` comes first in practice and is compared in place; a body
 * where it does not (a key in capitals or digits before it) is parsed.
 */
function osMatches(row: StoredAuditEvent, details: number): boolean {
  const { body, os_user: user, os_host: host } = row;
  if (user !== null || host !== null) {
    if (body.startsWith(`"${OS_KEY}":{"host":${jsonOrNull(host)},"user":${jsonOrNull(user)}}`, details)) {
      return true;
    }
  } else if (!body.includes(`"${OS_KEY}":`, details)) {
    return true;
  }
  return osDisagreement(row) === null;
}

const jsonOrNull = (value: string | null): string => (value === null ? 'null' : jsonString(value));

/** Where the body's `_os` and the row's os_user and os_host columns disagree (parsing the body). */
function osDisagreement(row: StoredAuditEvent): { column: 'os_user' | 'os_host'; said: string } | null {
  let os: unknown;
  try {
    os = (JSON.parse(row.body) as { details?: Record<string, unknown> } | null)?.details?.[OS_KEY];
  } catch {
    return { column: 'os_user', said: 'nothing (the body is not JSON)' };
  }
  if (os === undefined) {
    if (row.os_user !== null) return { column: 'os_user', said: 'nothing' };
    if (row.os_host !== null) return { column: 'os_host', said: 'nothing' };
    return null;
  }
  if (canonicalize(os) === canonicalize({ host: row.os_host, user: row.os_user })) return null;
  const field = (key: string): unknown =>
    os !== null && typeof os === 'object' ? (os as Record<string, unknown>)[key] : undefined;
  for (const [column, key] of [
    ['os_user', 'user'],
    ['os_host', 'host'],
  ] as const) {
    if (field(key) !== row[column]) return { column, said: JSON.stringify(field(key)) ?? 'nothing' };
  }
  // The two values agree but the object holds more: not what the appender writes.
  return { column: 'os_user', said: canonicalize(os) ?? 'nothing' };
}

/** The position after `text` when the body holds it at `from`; -1 otherwise (and for from = -1). */
function piece(body: string, from: number, text: string): number {
  return from >= 0 && body.startsWith(text, from) ? from + text.length : -1;
}

// Characters JSON.stringify writes escaped (quote, backslash, controls) or that canonicalize refuses
// (surrogates, which a well-formed string holds only in pairs).
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string as JSON.stringify writes it; most need no escaping, and are written without the call. */
function jsonString(value: string): string {
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
}

/**
 * Walks stored events in id order and finds the first broken link: a gap in ids, a prev_hash that is
 * not the previous event's hash, a hash that is not sha256(prev_hash + body), or a body that does
 * not hold exactly what the row's columns say.
 */
export class ChainChecker {
  // Ids stay below 2^53 (a million events a day for 25,000 years), so a number counts them exactly.
  private nextId = 1;
  private prevHash = GENESIS_HASH;
  private intactCount = 0;
  private firstBroken: BrokenLink | null = null;

  /** Events found intact so far, from the first. */
  get verified(): number {
    return this.intactCount;
  }

  /** The first broken link, once one is found. */
  get broken(): BrokenLink | null {
    return this.firstBroken;
  }

  /** The hash the next event must chain from. */
  get head(): string {
    return this.prevHash;
  }

  /** Checks the next event; false once the chain is broken (the first break is kept). */
  check(row: StoredAuditEvent): boolean {
    if (this.firstBroken !== null) return false;
    const broken = this.problemAt(row);
    if (broken !== null) {
      this.firstBroken = broken;
      return false;
    }
    this.nextId++;
    this.prevHash = row.hash;
    this.intactCount++;
    return true;
  }

  private problemAt(row: StoredAuditEvent): BrokenLink | null {
    const expectedId = String(this.nextId);
    if (row.id !== expectedId) {
      const missing =
        BigInt(row.id) - BigInt(this.nextId) === 1n
          ? `event ${expectedId} is`
          : `events ${expectedId} to ${BigInt(row.id) - 1n} are`;
      return link(row, 'gap', expectedId, row.id, `gap in ids: ${missing} missing before event ${row.id}`);
    }
    if (row.prev_hash !== this.prevHash) {
      const previous = this.nextId === 1 ? 'the genesis value' : `event ${this.nextId - 1}'s hash`;
      return link(
        row,
        'prev_hash',
        this.prevHash,
        row.prev_hash,
        `prev_hash mismatch: the event chains from ${row.prev_hash}, but ${previous} is ${this.prevHash}`,
      );
    }
    const computed = chainHash(row.prev_hash, row.body);
    if (computed !== row.hash) {
      return link(
        row,
        'hash',
        computed,
        row.hash,
        `hash mismatch: the stored hash is ${row.hash}, but sha256(prev_hash + body) is ${computed}: its body or hash was changed`,
      );
    }
    if (!bodyMatchesColumns(row)) {
      const d = bodyDisagreement(row);
      return link(row, 'body', d.expected, d.found, `body mismatch: ${d.message}`);
    }
    return null;
  }
}

function link(
  row: StoredAuditEvent,
  problem: BrokenLinkProblem,
  expected: string,
  found: string,
  message: string,
): BrokenLink {
  return { id: row.id, problem, expected, found, message };
}

/** Says where a body and its row's columns disagree (parsing it: this runs only for a broken row). */
function bodyDisagreement(row: StoredAuditEvent): { expected: string; found: string; message: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(row.body);
  } catch {
    return { expected: 'JSON', found: row.body.slice(0, 80), message: 'the body is not JSON' };
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const body = parsed as Record<string, unknown>;
    const keys = Object.keys(body).sort();
    if (keys.length !== BODY_KEYS.length || keys.some((k, i) => k !== BODY_KEYS[i])) {
      return {
        expected: BODY_KEYS.join(','),
        found: keys.join(','),
        message: `the body has the keys ${keys.join(', ')} instead of ${BODY_KEYS.join(', ')}`,
      };
    }
    for (const column of ['id', 'at', 'actor', 'action', 'subject'] as const) {
      if (body[column] !== row[column]) {
        const said = JSON.stringify(body[column]) ?? 'nothing';
        return {
          expected: said,
          found: row[column],
          message: `the row's ${column} column says ${JSON.stringify(row[column])} but its hashed body says ${said}`,
        };
      }
    }
    const os = osDisagreement(row);
    if (os !== null) {
      const found = row[os.column];
      return {
        expected: os.said,
        found: String(found),
        message: `the row's ${os.column} column says ${JSON.stringify(found)} but its hashed body (details.${OS_KEY}) says ${os.said}`,
      };
    }
  }
  return {
    expected: 'the canonical JSON of the columns around a details object',
    found: row.body.slice(0, 80),
    message: "the body is not the RFC 8785 canonical JSON of the row's columns and a details object",
  };
}
