import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql, type RawBuilder } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEvent } from '../../src/audit/append.js';
import { auditDb } from '../../src/audit/audit-event.table.js';
import {
  bodyMatchesColumns,
  chainHash,
  eventBody,
  type AuditDetails,
  type AuditValue,
} from '../../src/audit/chain.js';
import { exportAuditChain } from '../../src/audit/export.js';
import { verifyAuditChain } from '../../src/audit/verify.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { fc, numRuns } from '../support/property.js';
import { inRolledBack } from '../support/rolled-back.js';

const VERIFIER = path.resolve(import.meta.dirname, '../../scripts/verify-audit-export.py');
const EVENTS = 12;
// Each run works in the database (and the second one starts Python): fewer runs than pure properties.
const DB_RUNS = Math.min(numRuns, 60);
const EXPORT_RUNS = Math.min(numRuns, 15);

/** Exact JSON values with any Unicode text (astral characters, controls) in keys and strings. */
const text = fc.string({ unit: 'binary', maxLength: 12 });
const valueArb: fc.Arbitrary<AuditValue> = fc.letrec<{ value: AuditValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    fc.maxSafeInteger(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(text, tie('value'), { maxKeys: 4 }),
  ),
})).value;
// Any key but `_os`, the appender's own (keys that sort before it, in capitals or digits, included).
const detailsArb: fc.Arbitrary<AuditDetails> = fc.dictionary(
  text.filter((k) => k !== '_os'),
  valueArb,
  { maxKeys: 5 },
);

const hex64 = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 });

/** One change to one stored row, made as someone with the table owner's rights could. */
type Tamper =
  | { kind: 'body'; at: number; char: string }
  | { kind: 'hash'; value: string }
  | { kind: 'prev_hash'; value: string }
  | { kind: 'actor' | 'subject'; value: string }
  | { kind: 'action'; value: string }
  | { kind: 'os_user' | 'os_host'; value: string | null }
  | { kind: 'at'; micros: number }
  | { kind: 'delete' }
  | { kind: 'rewrite'; char: string };

const tamperArb: fc.Arbitrary<Tamper> = fc.oneof(
  fc.record({
    kind: fc.constant('body' as const),
    at: fc.nat(),
    // Any character a text column can hold (PostgreSQL text cannot hold NUL).
    char: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => c !== '\u0000'),
  }),
  fc.record({ kind: fc.constant('hash' as const), value: hex64 }),
  fc.record({ kind: fc.constant('prev_hash' as const), value: hex64 }),
  fc.record({
    kind: fc.constantFrom('actor' as const, 'subject' as const),
    value: fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('action' as const), value: fc.stringMatching(/^[a-z]{1,6}\.[a-z]{1,6}$/) }),
  fc.record({
    kind: fc.constantFrom('os_user' as const, 'os_host' as const),
    value: fc.option(fc.string({ unit: 'binary', maxLength: 8 })),
  }),
  fc.record({
    kind: fc.constant('at' as const),
    micros: fc.integer({ min: -86_400_000_000, max: 86_400_000_000 }).filter((n) => n !== 0),
  }),
  fc.record({ kind: fc.constant('delete' as const) }),
  fc.record({ kind: fc.constant('rewrite' as const), char: fc.constantFrom('x', 'é', '𝄞') }),
);

/** The statement of a tamper on event `id`, or null when it would change nothing. */
function tamperStatement(
  tamper: Tamper,
  row: {
    id: string;
    body: string;
    hash: string;
    prev_hash: string;
    actor: string;
    action: string;
    subject: string;
    os_user: string | null;
    os_host: string | null;
  },
): RawBuilder<unknown> | null {
  const id = row.id;
  switch (tamper.kind) {
    case 'body': {
      const i = tamper.at % row.body.length;
      const body = row.body.slice(0, i) + tamper.char + row.body.slice(i + 1);
      return body === row.body ? null : sql`UPDATE audit_event SET body = ${body} WHERE id = ${id}`;
    }
    case 'hash':
    case 'prev_hash':
      return tamper.value === row[tamper.kind]
        ? null
        : sql`UPDATE audit_event SET ${sql.ref(tamper.kind)} = ${tamper.value} WHERE id = ${id}`;
    case 'actor':
    case 'subject':
    case 'action':
      return tamper.value === row[tamper.kind] || tamper.value.includes('\u0000')
        ? null
        : sql`UPDATE audit_event SET ${sql.ref(tamper.kind)} = ${tamper.value} WHERE id = ${id}`;
    case 'os_user':
    case 'os_host':
      return tamper.value === row[tamper.kind] || tamper.value?.includes('\u0000')
        ? null
        : sql`UPDATE audit_event SET ${sql.ref(tamper.kind)} = ${tamper.value} WHERE id = ${id}`;
    case 'at':
      return sql`UPDATE audit_event SET at = at + make_interval(secs => ${tamper.micros / 1e6}) WHERE id = ${id}`;
    case 'delete':
      return sql`DELETE FROM audit_event WHERE id = ${id}`;
    case 'rewrite': {
      // Body and hash changed together, consistently: only the next link can tell.
      const body = row.body.replace(/"subject":"/, `"subject":"${tamper.char}`);
      return sql`UPDATE audit_event SET body = ${body}, subject = ${tamper.char + row.subject},
                   hash = ${chainHash(row.prev_hash, body)} WHERE id = ${id}`;
    }
  }
}

describe('a body holds its columns exactly', () => {
  const columns = fc.record({
    id: fc.integer({ min: 1, max: 2 ** 40 }).map(String),
    at: fc.date({ noInvalidDate: true }).map((d) => d.toISOString().replace('Z', '123Z')),
    actor: text.filter((s) => s !== ''),
    action: fc.stringMatching(/^[a-z]{1,6}(\.[a-z]{1,6}){0,2}$/),
    subject: text,
    os_user: fc.option(text),
    os_host: fc.option(text),
  });
  const wellFormed = (s: string) => !/[\ud800-\udfff]/.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''));

  it('matches the body written from the same columns, and no body written from other columns', () => {
    fc.assert(
      fc.property(columns, columns, detailsArb, (mine, other, given) => {
        // The appender's operating-system identity, absent from events written before it was kept.
        const recorded = mine.os_user !== null || mine.os_host !== null;
        const details = recorded ? { ...given, _os: { host: mine.os_host, user: mine.os_user } } : given;
        const body = eventBody({ ...mine, details });
        const row = { ...mine, body, prev_hash: '', hash: '' };
        expect(bodyMatchesColumns(row)).toBe(true);
        for (const key of ['id', 'at', 'actor', 'action', 'subject', 'os_user', 'os_host'] as const) {
          const value = other[key];
          if (value === mine[key] || (value !== null && !wellFormed(value))) continue;
          expect(bodyMatchesColumns({ ...row, [key]: value })).toBe(false);
        }
      }),
    );
  });
});

describe(`audit chain properties on ${dbKind}`, () => {
  let t: TestDb;
  let head: string;
  const work = mkdtempSync(path.join(tmpdir(), 'dcass-audit-prop-'));
  beforeAll(async () => {
    t = await createTestDb();
    const details = fc.sample(detailsArb, { numRuns: EVENTS, seed: 42 });
    for (let i = 0; i < EVENTS; i++) {
      await appendAuditEvent(t.store.db, {
        actor: `actor-${i % 3}`,
        action: 'test.event',
        subject: `thing:${i}`,
        details: details[i]!,
      });
    }
    const v = await verifyAuditChain(t.store);
    expect(v.intact).toBe(true);
    head = v.head!.hash;
  });
  afterAll(async () => {
    await t.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('any single-row tamper is detected at that row', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: EVENTS }), tamperArb, async (k, tamper) => {
        const result = await inRolledBack(t, async (db) => {
          const row = await auditDb(db)
            .selectFrom('audit_event')
            .selectAll()
            .where('id', '=', String(k))
            .executeTakeFirstOrThrow();
          const statement = tamperStatement(tamper, row);
          if (statement === null) return null;
          await sql`ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only`.execute(db);
          // Whoever can disable the trigger can drop the checks too (e.g. the genesis rule on event 1).
          const checks = await sql<{ conname: string }>`
            SELECT conname FROM pg_constraint WHERE conrelid = 'audit_event'::regclass AND contype = 'c'`.execute(
            db,
          );
          for (const c of checks.rows) {
            await sql`ALTER TABLE audit_event DROP CONSTRAINT ${sql.id(c.conname)}`.execute(db);
          }
          await statement.execute(db);
          return verifyAuditChain({ db }, { expectedHead: head });
        });
        if (result === null) return;
        const { broken } = result;
        expect(result.intact).toBe(false);
        const last = k === EVENTS;
        switch (tamper.kind) {
          case 'body':
          case 'hash':
            expect(broken).toMatchObject({ id: String(k), problem: 'hash' });
            break;
          case 'prev_hash':
            expect(broken).toMatchObject({ id: String(k), problem: 'prev_hash' });
            break;
          case 'actor':
          case 'subject':
          case 'action':
          case 'os_user':
          case 'os_host':
          case 'at':
            expect(broken).toMatchObject({ id: String(k), problem: 'body' });
            break;
          case 'delete':
            // The link is named where the removed event is missing; a removed last event is a
            // head that is no longer in the chain.
            expect(broken).toMatchObject(
              last
                ? { problem: 'head', expected: head }
                : { id: String(k + 1), problem: 'gap', expected: String(k) },
            );
            break;
          case 'rewrite':
            expect(broken).toMatchObject(
              last ? { problem: 'head', expected: head } : { id: String(k + 1), problem: 'prev_hash' },
            );
            if (!last) expect(broken!.message).toContain(`event ${k}'s hash`);
            break;
        }
      }),
      { numRuns: DB_RUNS },
    );
    expect((await verifyAuditChain(t.store)).intact).toBe(true);
  });

  it('an export of any exact details verifies with the independent verifier', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(detailsArb, { minLength: 1, maxLength: 6 }), async (batch) => {
        const file = path.join(work, 'export.jsonl');
        const exported = await inRolledBack(t, async (db) => {
          for (const [i, details] of batch.entries()) {
            await appendAuditEvent(db, { actor: 'prop', action: 'test.export', subject: `n:${i}`, details });
          }
          return exportAuditChain({ db }, file);
        });
        expect(exported.intact).toBe(true);
        const r = spawnSync('python3', [VERIFIER, file], { encoding: 'utf8' });
        expect(`${r.stdout}${r.stderr}`).toBe(
          `OK: ${EVENTS + batch.length} events, head hash ${exported.head!.hash}\n`,
        );
        expect(r.status).toBe(0);
      }),
      { numRuns: EXPORT_RUNS },
    );
  });
});
