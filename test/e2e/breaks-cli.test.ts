import { hostname, userInfo } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbKind } from '../support/db.js';
import { fixtureWorkspace } from '../support/fixture-workspace.js';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Entry {
  id: string;
  recon: string;
  kind: string;
  status: string;
  reason: string | null;
  reasonCode: string | null;
  assignee: string | null;
  comments: { actor: string; note: string }[];
}

describe(`dcass-recon breaks on the fixtures (${dbKind})`, () => {
  const ws = fixtureWorkspace('dcass-breaks-');
  const { work, cli } = ws;
  const list = async (...args: string[]): Promise<Entry[]> => {
    const r = await cli(['--json', 'breaks', 'list', ...args]);
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { breaks: Entry[] }).breaks;
  };
  let b1: Entry;

  beforeAll(async () => {
    await ws.setUp();
    expect((await cli(['run', '--date', '2019-05-03'])).code).toBe(1);
    b1 = (await list('--status', 'open'))[0]!;
  });
  afterAll(async () => ws.dispose());

  it('lists the open break of 3 May (B1) and shows its detected event', async () => {
    expect([b1.recon, b1.kind, b1.status]).toEqual(['positions-seam', 'mismatch', 'open']);
    const r = await cli(['breaks', 'show', b1.id]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/status open/);
    expect(r.stdout).toMatch(/detected/);
  });

  it('explain with a configured code, four-eyes refuses the same person, another resolves', async () => {
    const before = new Date().toISOString();
    const bad = await cli([
      'breaks',
      'explain',
      b1.id,
      '--reason',
      'x',
      '--code',
      'MADE_UP',
      '--actor',
      'alice',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/reason code "MADE_UP" is not one of the configured codes/);
    // Nobody has explained it yet: one person cannot resolve it alone.
    const alone = await cli(['breaks', 'resolve', b1.id, '--reason', 'fine', '--actor', 'alice']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain(
      `break ${b1.id} is open, not explained: four-eyes rule, one person explains a break and another resolves it; alice cannot resolve it alone`,
    );
    const ex = await cli([
      'breaks',
      'explain',
      b1.id,
      '--reason',
      'Genium backup taken before the late trade',
      '--code',
      'TIMING',
      '--actor',
      'alice',
    ]);
    expect(ex.code, ex.stderr).toBe(0);
    const same = await cli(['breaks', 'resolve', b1.id, '--reason', 'fine', '--actor', 'alice']);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/four-eyes rule/);
    // The explainer with a zero-width space in the name is still the explainer: the name is refused.
    const alias = await cli(['breaks', 'resolve', b1.id, '--reason', 'fine', '--actor', 'alice\u200b']);
    expect(alias.code).toBe(2);
    expect(alias.stderr).toMatch(
      /--actor "alice\\u200b" is not a usable name: it holds the invisible or control character U\+200B/,
    );
    const wide = await cli([
      'breaks',
      'resolve',
      b1.id,
      '--reason',
      'fine',
      '--actor',
      '\uff21\uff4c\uff49\uff43\uff45',
    ]);
    expect(wide.code).toBe(2);
    expect(wide.stderr).toMatch(/another person must resolve it, not Alice/);
    const noReason = await cli(['breaks', 'resolve', b1.id, '--actor', 'bob']);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toMatch(/--reason/);
    const ok = await cli(['breaks', 'resolve', b1.id, '--reason', 'checked with HKEX', '--actor', 'bob']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/explained -> resolved/);
    const [now] = (await list()).filter((e) => e.id === b1.id);
    expect([now!.status, now!.reason]).toEqual(['resolved', 'checked with HKEX']);
    const [then] = (await list('--as-of', before)).filter((e) => e.id === b1.id);
    expect(then!.status).toBe('open');
    // Resolved after the run, B1 no longer blocks the confirmation of the run's date.
    const confirm = await cli(['confirm', '--date', '2019-05-03', '--out', path.join(work, 'confirmation')]);
    expect(confirm.code, confirm.stderr).toBe(0);
    // The re-run keeps the person's decision: nothing is open any more, so the run exits 0.
    const rerun = await cli(['run', '--date', '2019-05-03']);
    expect(rerun.code, rerun.stdout).toBe(0);
    expect(rerun.stdout).toMatch(/0 open, 0 explained, 1 resolved/);
  });

  it('every action is in the audit trail, and the chain verifies', async () => {
    const r = await cli(['--json', 'audit', 'verify']);
    expect(r.code, r.stderr).toBe(0);
    const show = await cli(['--json', 'breaks', 'show', b1.id]);
    const h = JSON.parse(show.stdout) as { events: { action: string; actor: string }[] };
    expect(h.events.map((e) => [e.action, e.actor])).toEqual([
      ['detected', expect.any(String)],
      ['explain', 'alice'],
      ['resolve', 'bob'],
      ['seen', expect.any(String)],
    ]);
  });

  it('every event records the operating-system user and host beside the actor; show prints them', async () => {
    const me = { osUser: userInfo().username, osHost: hostname() };
    const json = await cli(['--json', 'breaks', 'show', b1.id]);
    const h = JSON.parse(json.stdout) as {
      events: { action: string; actor: string; osUser: string; osHost: string }[];
    };
    expect(h.events.map((e) => ({ action: e.action, osUser: e.osUser, osHost: e.osHost }))).toEqual(
      ['detected', 'explain', 'resolve', 'seen'].map((action) => ({ action, ...me })),
    );
    const text = await cli(['breaks', 'show', b1.id]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/os user@host/);
    const explain = text.stdout.split('\n').find((l) => / explain /.test(l))!;
    expect(explain).toMatch(new RegExp(` alice +${escape(`${me.osUser}@${me.osHost}`)} +explain `));
  });

  it('show prints the records and the differences as tables, event times in Hong Kong time; --json stays ISO', async () => {
    const r = await cli(['breaks', 'show', b1.id]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(r.stdout).not.toContain('[{');
    // The records of each side, a row each, with their file and line.
    expect(r.stdout).toMatch(/^side +file:line +account +instrument +series +b\/s +quantity +price$/m);
    expect(lines.find((l) => l.startsWith('left '))).toMatch(
      /^left +POS001_CABC_20190503\.lis:9 +M01 +TCH C 2019-05 340 +TCH340\.00E9 +long 131 \/ short 0$/,
    );
    expect(lines.find((l) => l.startsWith('right '))).toMatch(
      /^right +POS001_CABC_20190503_0830\.xml:10 +M01 +TCH C 2019-05 340 +TCH340\.00E9 +long 130 \/ short 0$/,
    );
    // The differences: field | left | right | comparator, per run that found the break.
    expect(r.stdout).toMatch(/^run +business date +field +left +right +comparator$/m);
    expect(r.stdout).toMatch(/^\d+ +2019-05-03 +long +131 +130 +exact$/m);
    // Every event time as Hong Kong wall-clock time with its offset, none in UTC.
    const detected = lines.find((l) => / detected /.test(l))!;
    expect(detected).toMatch(/^\d+ +\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+08:00 /);
    expect(r.stdout).not.toMatch(/\d{2}:\d{2}:\d{2}(\.\d+)?Z/);
    const json = await cli(['--json', 'breaks', 'show', b1.id]);
    const h = JSON.parse(json.stdout) as { events: { at: string }[] };
    expect(h.events[0]!.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    // The same instant, printed eight hours on.
    const utc = new Date(h.events[0]!.at);
    const hk = new Date(utc.getTime() + 8 * 3600_000).toISOString();
    expect(detected).toContain(`${hk.slice(0, 10)} ${hk.slice(11, 19)} +08:00`);
  });

  it('list shows the age and the records account and instrument; --as-of is echoed in Hong Kong time', async () => {
    expect((await cli(['run', '--date', '2019-05-07'])).code).toBe(1);
    const r = await cli(['breaks', 'list']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^id +reconciliation +kind +status +first seen +last seen +age +account +instrument +key +assignee +reason$/m,
    );
    // B1 (3 May), aged in business days; B4 (7 May) a trade mismatch of account I0007.
    expect(r.stdout).toMatch(
      new RegExp(
        `^${b1.id} +positions-seam +mismatch +resolved +2019-05-03 +2019-05-03 +\\d+ +M01 +TCH C 2019-05 340 +account=M01`,
        'm',
      ),
    );
    expect(r.stdout).toMatch(
      /^\d+ +trades-bos +mismatch +open +2019-05-07 +2019-05-07 +0 +I0007 +HSI P 2019-05 27000 +tradeNo=1000618 clearingDate=2019-05-07/m,
    );
    const asOf = await cli(['breaks', 'list', '--as-of', '2019-05-07T02:50:03Z']);
    expect(asOf.stdout).toContain('break register as of 2019-05-07 10:50:03 +08:00');
  });

  it('a moment without a time zone is refused', async () => {
    const r = await cli(['breaks', 'list', '--as-of', '2019-05-06 18:00']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a moment with a time zone/);
  });
});
