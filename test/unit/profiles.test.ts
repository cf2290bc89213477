import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProfileRegistry } from '../../src/config/profiles.js';
import { DcassError } from '../../src/shared/errors.js';

describe('profiles', () => {
  const registry = ProfileRegistry.load();

  it('ships a built-in profile for every reference layout', () => {
    expect(registry.all().map((p) => p.name)).toEqual([
      'bos-account-map',
      'bos-positions',
      'bos-positions-big5',
      'bos-trades',
      'dcass-pos001-csv',
      'dcass-pos001-xml',
      'dcass-trd001-csv',
      'dcass-trd001-xml',
      'genium-pos001',
      'genium-trd001',
    ]);
  });

  it.each([
    ['TRD001_CABC_20190503.lis', 'genium', 'genium-trd001'],
    ['POS001_CABC_20190503.lis', 'genium', 'genium-pos001'],
    ['TRD001_CABC_20190506_2310.xml', 'dcass', 'dcass-trd001-xml'],
    ['POS001_CABC_20190507_2330.csv', 'dcass', 'dcass-pos001-csv'],
    ['BOS_TRADES_CABC_20190506.csv', 'bos', 'bos-trades'],
    ['BOS_POSITIONS_CABC_20190510.big5.csv', 'bos', 'bos-positions-big5'],
    ['ACCOUNT_MAP_CABC.csv', 'bos', 'bos-account-map'],
  ] as const)('selects a profile for %s', (file, source, name) => {
    expect(registry.select(file, source).name).toBe(name);
  });

  it('refuses a file name no profile of the source matches, listing the patterns', () => {
    expect(() => registry.select('TRD001_CABC_20190503.lis', 'dcass')).toThrow(/no dcass profile matches/);
  });

  it('names the file, line and key path of every profile error', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dcass-prof-'));
    writeFileSync(
      path.join(dir, 'bad.yaml'),
      [
        'name: my-bos',
        'source: bos',
        'entity: trades',
        'reportId: X',
        "match: '^X\\.csv$'",
        'format: { type: csv }',
        'fields:',
        '  quantity: { from: Qty, type: decimal }',
        '  price: { from: Px, type: decimal }',
        '  side: { from: Side, type: code }',
        '  tradeDate: { from: D, type: date, format: MM-DD-YYYY }',
      ].join('\n'),
    );
    let err: unknown;
    try {
      ProfileRegistry.load([dir]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DcassError);
    const msg = (err as DcassError).message;
    expect(msg).toContain(`${path.join(dir, 'bad.yaml')}:10: fields.side.map: a code needs map`);
    expect(msg).toContain(':11: fields.tradeDate.format: a date needs format');
    expect(msg).toContain(':11: fields.tradeDate: not a trades field');
    expect(msg).toMatch(/fields: needs series, or root/);
    expect((err as DcassError).code).toBe('PROFILE_INVALID');
  });

  it('refuses YAML that does not parse, naming the line', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dcass-prof-'));
    writeFileSync(path.join(dir, 'broken.yaml'), 'name: a\nfields: { from: [1, 2\n');
    expect(() => ProfileRegistry.load([dir])).toThrow(/broken\.yaml:\d+: not valid YAML/);
  });
});
