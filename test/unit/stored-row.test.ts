import { describe, expect, it } from 'vitest';
import type { NormaliseContext } from '../../src/ingest/normalise/context.js';
import { copyInstant, rowMaker } from '../../src/ingest/normalise/stored-row.js';
import { extraJson } from '../../src/ingest/normalise/record-values.js';
import { copyColumns } from '../../src/model/entities.js';

const ctx = { fileId: '7', source: 'bos', participant: 'CABC' } as NormaliseContext;

describe('rows in the model column order', () => {
  it('puts each value under its column: the load, the derived values, the record as read, the extra columns', () => {
    const rows = rowMaker('positions');
    const r = rows.row(
      {
        positionDate: '2019-05-06',
        account: 'A1',
        series: 'HSIK9',
        root: 'HSI',
        instrumentType: 'F',
        expiry: '2019-05',
        long: '3',
        short: '0',
      },
      { clientCode: 'C1' },
      { note: 'x' },
      12,
      ctx,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Object.fromEntries(copyColumns('positions').map((c, i) => [c, r.value[i]]))).toEqual({
      file_id: '7',
      line_no: '12',
      source: 'bos',
      participant: 'CABC',
      position_date: '2019-05-06',
      account: 'A1',
      client_code: 'C1',
      series: 'HSIK9',
      root: 'HSI',
      instrument_type: 'F',
      expiry: '2019-05',
      strike: null,
      long_qty: '3',
      short_qty: '0',
      exercised_qty: null,
      assigned_qty: null,
      // As jsonb writes it back: the data digest rebuilds the row's line from the stored value.
      extra: '{"note": "x"}',
    });
  });

  it('writes an instant as the database writes it in UTC, and unmapped columns in jsonb key order', () => {
    expect(copyInstant('2019-05-06T01:30:00.250Z')).toBe('2019-05-06 01:30:00.25+00');
    expect(copyInstant('2019-05-06T01:30:00.000Z')).toBe('2019-05-06 01:30:00+00');
    expect(copyInstant('2019-05-06T01:30:07Z')).toBe('2019-05-06 01:30:07+00');
    expect(copyInstant(null)).toBeNull();
    expect(() => copyInstant('2019-05-06 01:30:00')).toThrow(/not an ISO 8601 UTC instant/);
    // The shape of the usual instant, a character out of place: still refused.
    expect(() => copyInstant('2019-05-06T01:3a:00.000Z')).toThrow(/not an ISO 8601 UTC instant/);
    expect(() => copyInstant('2019/05/06T01:30:00.000Z')).toThrow(/not an ISO 8601 UTC instant/);
    // Shorter keys first (UTF-8 bytes: "é" is two), then bytewise.
    expect(extraJson({ zz: '1', b: '2', é: '3', a: 'x"y' })).toBe(
      '{"a": "x\\"y", "b": "2", "zz": "1", "é": "3"}',
    );
  });

  it('names the first required field left empty', () => {
    const r = rowMaker('account_map').row({}, { clientCode: 'C1', accountType: 'NET' }, null, 3, ctx);
    expect(r).toEqual({
      ok: false,
      issue: { code: 'MISSING_VALUE', field: 'dcassAccount', message: 'dcassAccount is required but empty' },
    });
  });
});
