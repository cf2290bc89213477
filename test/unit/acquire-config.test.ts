import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Secret, resolveSftpSecrets, sftpConfigSchema } from '../../src/config/sftp-config.js';
import { compileReportPatterns, matchReport } from '../../src/ingest/acquire/report-patterns.js';
import { fetchDateForms } from '../../src/ingest/acquire/fetch.js';

const FP = `SHA256:${'A'.repeat(43)}`;
const base = {
  host: 'rrs.example',
  username: 'cabc',
  privateKeyFile: '/k',
  hostKeyFingerprints: [FP],
  participant: 'CABC',
  inboxDir: '/in',
};

describe('sftpConfigSchema', () => {
  it('fills every default', () => {
    const cfg = sftpConfigSchema.parse(base);
    expect(cfg.port).toBe(22);
    expect(cfg.remoteRoot).toBe('/');
    expect(Object.keys(cfg.reports)).toEqual(['TRD001', 'POS001']);
    expect(cfg.timeouts).toEqual({ connectMs: 20_000, idleMs: 30_000, totalMs: 900_000 });
    expect(cfg.retries).toEqual({ count: 3, backoffMs: 2_000 });
  });

  it('requires at least one pinned host key and says how to get one', () => {
    for (const hostKeyFingerprints of [undefined, []]) {
      const r = sftpConfigSchema.safeParse({ ...base, hostKeyFingerprints });
      expect(r.success).toBe(false);
      const issue = r.error!.issues.find((i) => i.path[0] === 'hostKeyFingerprints');
      expect(issue?.message).toMatch(/ssh-keyscan/);
    }
  });

  it('refuses malformed fingerprints, unknown keys and a passphrase in place of a variable name', () => {
    expect(sftpConfigSchema.safeParse({ ...base, hostKeyFingerprints: ['MD5:aa:bb'] }).success).toBe(false);
    expect(sftpConfigSchema.safeParse({ ...base, password: 'x' }).success).toBe(false);
    expect(sftpConfigSchema.safeParse({ ...base, passphraseEnv: 'my secret phrase!' }).success).toBe(false);
  });
});

describe('secrets', () => {
  it('reads the passphrase from the named variable and never prints it', () => {
    const secrets = resolveSftpSecrets({ passphraseEnv: 'RRS_KEY_PASS' }, { RRS_KEY_PASS: 'hunter2-xyz' });
    expect(secrets.passphrase?.reveal()).toBe('hunter2-xyz');
    const shown = [
      JSON.stringify(secrets),
      String(secrets.passphrase),
      inspect(secrets),
      `${secrets.passphrase}`,
    ].join(' ');
    expect(shown).not.toContain('hunter2');
    expect(resolveSftpSecrets({ passphraseEnv: 'NOPE' }, {})).toEqual({});
    expect(new Secret('a').toJSON()).toBe('[redacted]');
  });
});

describe('report patterns', () => {
  const matchers = compileReportPatterns(
    { TRD001: 'TRD001_{participant}_{date}_{hhmm}.{ext}', POS001: 'POS001_{participant}_{date}_*.csv' },
    'CABC',
    '20190506',
  );
  it.each([
    ['TRD001_CABC_20190506_2310.xml', 'TRD001'],
    ['TRD001_CABC_20190506_0900.csv', 'TRD001'],
    ['POS001_CABC_20190506_day_end.csv', 'POS001'],
    ['TRD001_CABC_20190507_2310.xml', undefined],
    ['TRD001_CXYZ_20190506_2310.xml', undefined],
    ['TRD001_CABC_20190506_231.xml', undefined],
    ['TRD001_CABC_20190506_2310.xml.bak', undefined],
    ['trd001_CABC_20190506_2310.xml', undefined],
  ])('%s -> %s', (name, id) => {
    expect(matchReport(matchers, name)).toBe(id);
  });

  it('refuses an unknown placeholder with the config path', () => {
    expect(() => compileReportPatterns({ X: '{nope}' }, 'CABC', '20190506')).toThrow(
      /unknown placeholder \{nope\}/,
    );
  });
});

describe('fetchDateForms', () => {
  it('accepts ISO and compact dates and refuses impossible ones', () => {
    expect(fetchDateForms('2019-05-06')).toEqual({ compact: '20190506', iso: '2019-05-06' });
    expect(fetchDateForms('20190506')).toEqual({ compact: '20190506', iso: '2019-05-06' });
    for (const bad of ['2019-02-30', '2019-13-01', '6/5/2019', ''])
      expect(() => fetchDateForms(bad)).toThrow(/not a calendar date|not written YYYY-MM-DD/);
  });
});
