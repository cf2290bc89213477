import { describe, expect, it } from 'vitest';
import { AccountResolver } from '../../src/ingest/normalise/account-resolver.js';

const row = (client_code: string, dcass_account: string, effective_from: string) => ({
  client_code,
  dcass_account,
  account_type: 'NET' as const,
  effective_from,
});

describe('AccountResolver', () => {
  const map = new AccountResolver([
    row('C1', 'A01', '2019-01-01'),
    row('C1', 'A02', '2019-05-07'),
    row('C2', 'A01', '2019-01-01'),
    row('C2', 'X01', '2019-01-01'),
  ]);

  it('says whether any account holds a character COPY escapes (rows then escape each value)', () => {
    expect(map.plainAccounts).toBe(true);
    expect(new AccountResolver([row('C1', 'A\t01', '2019-01-01')]).plainAccounts).toBe(false);
    expect(new AccountResolver([row('C1', 'A\\01', '2019-01-01')]).plainAccounts).toBe(false);
  });

  it('maps a client to the account effective on the date', () => {
    expect(map.resolve('C1', '2019-05-06')).toMatchObject({ ok: true, value: { account: 'A01' } });
    expect(map.resolve('C1', '2019-05-07')).toMatchObject({ ok: true, value: { account: 'A02' } });
  });

  it('refuses to guess when one client is mapped to two accounts from the same date', () => {
    expect(map.resolve('C2', '2019-05-06')).toMatchObject({
      ok: false,
      issue: {
        code: 'AMBIGUOUS_ACCOUNT',
        message: 'client code "C2" is mapped to both A01 and X01 from 2019-01-01',
      },
    });
  });

  it('says why a client has no mapping', () => {
    expect(map.resolve('C9', '2019-05-06')).toMatchObject({ ok: false, issue: { code: 'UNMAPPED_ACCOUNT' } });
    expect(map.resolve('C1', '2018-12-31')).toMatchObject({ ok: false, issue: { code: 'UNMAPPED_ACCOUNT' } });
  });
});
