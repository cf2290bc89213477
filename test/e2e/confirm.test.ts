import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyEvidencePack } from '../../src/confirm/evidence-pack.js';
import { openStore } from '../../src/db/connect.js';
import { readPdfText } from '../support/confirmation.js';
import { dbKind } from '../support/db.js';
import { fixtureWorkspace } from '../support/fixture-workspace.js';

interface AuditRow {
  id: string;
  actor: string;
  action: string;
  subject: string;
  body: string;
  prev_hash: string;
  hash: string;
}

describe(`dcass-recon confirm on the fixtures (${dbKind})`, () => {
  const ws = fixtureWorkspace('dcass-confirm-');
  const { work, cwd, cli } = ws;

  async function auditEvents(): Promise<AuditRow[]> {
    const store = await openStore(ws.target);
    try {
      const r = await sql<AuditRow>`SELECT id::text AS id, actor, action, subject, body, prev_hash, hash
        FROM audit_event ORDER BY audit_event.id`.execute(store.db);
      return r.rows;
    } finally {
      await store.close();
    }
  }

  beforeAll(async () => {
    await ws.setUp();
    // The BOS reconciliations only: B7 open, B6 explained (fixtures/README.md), whatever else the rule set grows.
    const run = await cli(['run', '--date', '2019-05-10', '--recon', 'trades-bos', 'positions-bos']);
    expect(run.code, run.stderr).toBe(1);
  });
  afterAll(async () => ws.dispose());

  it('refuses while a break is open: exit 2, the counts, what to do, nothing written', async () => {
    const out = path.join(work, 'refused');
    const r = await cli(['confirm', '--date', '2019-05-10', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/1 break is still open; no confirmation written/);
    expect(r.stderr).toMatch(/\(business date 2019-05-10\): 1 open \(trades-bos 1\); open 1, explained 1/);
    expect(r.stderr).toMatch(/--accept-open "reason"/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace for a refusal
    expect(existsSync(out)).toBe(false);
    expect((await auditEvents()).filter((e) => e.action === 'confirm.written')).toEqual([]);
  });

  it('accepts with a reason: pack verifies, the PDF prints the reason, the audit trail records it', async () => {
    const out = path.join(work, 'accepted');
    const reason = 'B7: BOS duplicate row of trade 1000321, BOS ticket 4411 fixes it in the Monday export';
    const before = await auditEvents();
    const r = await cli([
      '--actor',
      'chan.tai.man',
      'confirm',
      '--date',
      '2019-05-10',
      '--out',
      out,
      '--accept-open',
      reason,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`ACCEPTED 1 open break: ${reason}`);

    const check = await verifyEvidencePack(out);
    expect(check).toMatchObject({ ok: true, missing: [], extra: [], changed: [] });
    expect(r.stdout).toContain(`manifest.json sha256 ${check.manifestSha256}`);

    const pdf = await readPdfText(path.join(out, 'confirmation.pdf'));
    const text = pdf.text;
    // HKEX's form on one page: its statement, the starter's two clearing houses as "Both", no date filled in.
    expect(pdf.pages).toHaveLength(1);
    expect(text).toContain(
      'We have completed the HKATS and DCASS Upgrade post-release verification successfully, covering DCASS connections and data verification.',
    );
    expect(pdf.pages[0]).toContain('Clearing house HKCC SEOCH X Both');
    expect(pdf.pages[0]!.filter((l) => /\bDate\b/.test(l))).toEqual(['Date']);
    expect(text).toContain('OPEN BREAKS ACCEPTED');
    expect(text).toContain(reason);
    expect(text).toContain(
      'When this confirmation was prepared: 1 open break. chan.tai.man accepted this for the reason:',
    );
    expect(text).toContain('ABC Futures and Options Clearing Limited'); // from the starter configuration

    // The pack printed the head before this confirmation; the event appended after it records the pack.
    const after = await auditEvents();
    expect(after).toHaveLength(before.length + 1);
    const event = after[after.length - 1]!;
    const pack = JSON.parse(readFileSync(path.join(out, 'pack.json'), 'utf8')) as {
      auditHeadHash: string;
      runs: string[];
    };
    expect(pack.auditHeadHash).toBe(before[before.length - 1]!.hash);
    expect(event).toMatchObject({
      actor: 'chan.tai.man',
      action: 'confirm.written',
      subject: `run:${pack.runs[0]}`,
      prev_hash: pack.auditHeadHash,
    });
    const details = (JSON.parse(event.body) as { details: Record<string, unknown> }).details;
    expect(details).toMatchObject({
      businessDate: '2019-05-10',
      manifestSha256: check.manifestSha256,
      openBreaks: 1,
      acceptedOpenReason: reason,
      auditHeadHash: pack.auditHeadHash,
    });
  });

  it('a date with nothing open confirms without --accept-open (--json)', async () => {
    const run = await cli(['run', '--date', '2019-05-03', '--recon', 'trades-bos', 'positions-bos']);
    expect(run.code, run.stderr).toBe(0);
    const out = path.join(work, 'clean');
    const r = await cli(['--json', 'confirm', '--date', '2019-05-03', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as {
      openBreaks: number;
      acceptedOpen: unknown;
      manifestSha256: string;
      dir: string;
    };
    expect(j).toMatchObject({ openBreaks: 0, acceptedOpen: null, dir: out });
    expect((await verifyEvidencePack(out)).manifestSha256).toBe(j.manifestSha256);
    expect(existsSync(path.join(out, 'ACCEPTED-OPEN-BREAKS.txt'))).toBe(false);
  });

  it('exit 2 with what to do: no run of the date; an out folder in use; no confirmation section', async () => {
    const none = await cli(['confirm', '--date', '2019-05-07', '--out', path.join(work, 'none')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no completed reconciliation run of business date 2019-05-07');
    expect(none.stderr).toContain('dcass-recon run --date 2019-05-07');

    const again = await cli(['confirm', '--date', '2019-05-03', '--out', path.join(work, 'clean')]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists and is not an empty folder/);

    const starter = readFileSync(path.join(cwd, 'dcass-recon.yaml'), 'utf8');
    const bare = path.join(cwd, 'bare.yaml');
    writeFileSync(bare, starter.slice(0, starter.indexOf('\nconfirmation:')));
    const noSection = await cli([
      '--config',
      bare,
      'confirm',
      '--date',
      '2019-05-03',
      '--out',
      path.join(work, 'x'),
    ]);
    expect(noSection.code).toBe(2);
    expect(noSection.stderr).toMatch(/bare\.yaml has no confirmation: section/);
  });
});
