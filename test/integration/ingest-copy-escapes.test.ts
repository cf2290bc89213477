import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { FIXTURES, ingest } from '../support/ingest.js';

const dir = mkdtempSync(path.join(tmpdir(), 'dcass-escapes-'));
const write = (name: string, content: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

/*
 * A row is written to COPY without escaping its values only when the record's raw text and every value
 * from elsewhere (here: the mapped accounts) hold no backslash, tab, LF or CR; these rows hold some.
 */
describe(`values COPY escapes, from the record or the account map (${dbKind})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t.dispose());

  it('stores a mapped account and a trade ref holding a backslash or a tab exactly', async () => {
    const map = readFileSync(path.join(FIXTURES, 'bos/ACCOUNT_MAP_CABC.csv'), 'utf8')
      .replace('HOUSE,H01,', 'HOUSE,H\\01,')
      .replace('MM01,M01,', 'MM01,"M\t01",');
    const trades = readFileSync(path.join(FIXTURES, 'bos/BOS_TRADES_CABC_20190506.csv'), 'utf8').replace(
      'BT190506-0002,',
      'BT\\190506-0002,',
    );
    const out = await ingest(t.store, [
      { path: write('ACCOUNT_MAP_CABC.csv', map), source: 'bos' },
      { path: write('BOS_TRADES_CABC_20190506.csv', trades), source: 'bos' },
    ]);
    expect(out.map((o) => o.status)).toEqual(['loaded', 'loaded']);
    const rows = await t.store.db
      .selectFrom('trade')
      .select(['ref', 'client_code', 'account'])
      .where('client_code', 'in', ['HOUSE', 'MM01'])
      .execute();
    expect(new Set(rows.map((r) => r.account))).toEqual(new Set(['H\\01', 'M\t01']));
    for (const r of rows) expect(r.account).toBe(r.client_code === 'HOUSE' ? 'H\\01' : 'M\t01');
    expect(rows.map((r) => r.ref)).toContain('BT\\190506-0002');
  });
});
