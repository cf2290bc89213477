import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestTarget, dbKind } from '../support/db.js';

// `files --date` and `rejects --date` read the date with the one business-date parser: an impossible
// date is a usage mistake (exit 2, said as such), never a database error.

describe(`files and rejects: an impossible --date is refused as usage (${dbKind})`, () => {
  let target: { target: string; drop: () => Promise<void> };
  const cwd = mkdtempSync(path.join(tmpdir(), 'dcass-lineage-'));

  beforeAll(async () => {
    target = await createTestTarget();
  });
  afterAll(async () => target.drop());

  it.each([
    [['files', '--date', '2019-02-30'], '--date 2019-02-30 is not a calendar date: February 2019 has 28 days'],
    [['rejects', '--date', '2019-13-01'], '--date 2019-13-01 is not a calendar date: there is no month 13'],
  ])('%j exits 2 with the usage message', async (args, message) => {
    const r = await runCli(['--db', target.target, ...args], { cwd });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('what to do: check the day and the month of the date');
    expect(r.stderr).not.toMatch(/SELECT|invalid input syntax|date\/time field value|\n\s+at /);
    expect(r.stdout).toBe('');
  }, 60_000);
});
