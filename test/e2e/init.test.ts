import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestTarget, dbKind } from '../support/db.js';

describe(`dcass-recon init, with and without the fixtures (${dbKind})`, () => {
  let target: { target: string; drop: () => Promise<void> };
  const work = mkdtempSync(path.join(tmpdir(), 'dcass-init-'));
  const cwd = path.join(work, 'recon');

  beforeAll(async () => {
    target = await createTestTarget();
  });
  afterAll(async () => target.drop());

  it('without --with-fixtures says the input folders are empty, what goes in each, and how to get the fixtures', async () => {
    const r = await runCli(['init', 'recon'], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('inputs/genium/: empty, for your Genium INET report backups (TRD001, POS001)');
    expect(r.stdout).toContain(
      'inputs/dcass/: empty, for the upgraded DCASS reports (dcass-recon fetch saves them here)',
    );
    expect(r.stdout).toContain('inputs/bos/: only the fictitious CABC account map');
    expect(r.stdout).toContain(
      'the input folders hold no report yet: a date verified now has every input missing',
    );
    expect(r.stdout).toContain('dcass-recon init recon --with-fixtures --force');
    expect(readdirSync(path.join(cwd, 'inputs', 'genium'))).toEqual([]);
  });

  it('then verify names every missing input and exits 1: nothing verified is never reported as clean', async () => {
    const r = await runCli(['--db', target.target, 'verify', '--date', '2019-05-03', '--out', 'out/0503'], {
      cwd,
    });
    expect(r.code, r.stderr).toBe(1);
    for (const input of ['genium-trades', 'genium-positions', 'dcass-trades', 'bos-positions']) {
      expect(r.stdout).toContain(`no ${input} file for 2019-05-03 is loaded`);
    }
  });

  it('with --with-fixtures --force copies the shipped fixtures over it and points at verify', async () => {
    const r = await runCli(['init', 'recon', '--with-fixtures', '--force'], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/inputs\/genium\/: 4 shipped CABC fixture files/);
    expect(r.stdout).toContain('next: cd recon && dcass-recon verify --date 2019-05-03 --out out/0503');
    expect(readdirSync(path.join(cwd, 'inputs', 'genium')).sort()).toEqual([
      'POS001_CABC_20190503.lis',
      'POS001_CABC_20190514.lis',
      'TRD001_CABC_20190503.lis',
      'TRD001_CABC_20190514.lis',
    ]);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as {
      version: string;
    };
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});
