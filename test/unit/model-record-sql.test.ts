import { describe, expect, it } from 'vitest';
import { recordJsonSql, recordTextsSql, reportRecordKeys } from '../../src/model/record-sql.js';

// The record SQL the reports used before the model built it (the record objects of breaks.json, the
// HTML report's record columns and values), as they read: the builders must give the same keys in the
// same order, and the same values.
const TS = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const D = (col: string) => `to_char(${col}, 'YYYY-MM-DD')`;
const N = (col: string) => `trim_scale(${col})::text`;

const TRADE_OBJECT = `json_build_object('id', t.id::text, 'source', t.source, 'participant', t.participant,
  'clearingDate', ${D('t.clearing_date')}, 'session', t.session, 'series', t.series, 'root', t.root,
  'instrumentType', t.instrument_type, 'expiry', t.expiry, 'strike', ${N('t.strike')}, 'tradeNo', t.trade_no,
  'dealNo', t.deal_no, 'ref', t.ref, 'account', t.account, 'clientCode', t.client_code, 'side', t.side,
  'quantity', ${N('t.quantity')}, 'price', ${N('t.price')}, 'tradeType', t.trade_type, 'origTradeNo', t.orig_trade_no,
  'execDate', ${D('t.exec_date')}, 'execAt', ${TS('t.exec_at')}, 'openClose', t.open_close, 'file', f.file_name,
  'line', t.line_no)`;
const POSITION_OBJECT = `json_build_object('id', p.id::text, 'source', p.source, 'participant', p.participant,
  'positionDate', ${D('p.position_date')}, 'account', p.account, 'clientCode', p.client_code, 'series', p.series,
  'root', p.root, 'instrumentType', p.instrument_type, 'expiry', p.expiry, 'strike', ${N('p.strike')},
  'long', ${N('p.long_qty')}, 'short', ${N('p.short_qty')}, 'exercised', ${N('p.exercised_qty')},
  'assigned', ${N('p.assigned_qty')}, 'file', f.file_name, 'line', p.line_no)`;

const RECORD_COLUMNS = {
  trades: [
    'source',
    'participant',
    'clearingDate',
    'session',
    'series',
    'root',
    'instrumentType',
    'expiry',
    'strike',
    'tradeNo',
    'dealNo',
    'ref',
    'account',
    'clientCode',
    'side',
    'quantity',
    'price',
    'tradeType',
    'origTradeNo',
    'execDate',
    'execAt',
    'openClose',
    'file',
    'line',
  ],
  positions: [
    'source',
    'participant',
    'positionDate',
    'account',
    'clientCode',
    'series',
    'root',
    'instrumentType',
    'expiry',
    'strike',
    'long',
    'short',
    'exercised',
    'assigned',
    'file',
    'line',
  ],
};

const TRADE_VALUES = `'0', t.source, t.participant, ${D('t.clearing_date')}, t.session, t.series, t.root, t.instrument_type,
  t.expiry, ${N('t.strike')}, t.trade_no, t.deal_no, t.ref, t.account, t.client_code, t.side, ${N('t.quantity')},
  ${N('t.price')}, t.trade_type, t.orig_trade_no, ${D('t.exec_date')}, ${TS('t.exec_at')}, t.open_close, f.file_name,
  t.line_no::text`;
const POSITION_VALUES = `'1', p.source, p.participant, ${D('p.position_date')}, p.account, p.client_code, p.series, p.root,
  p.instrument_type, p.expiry, ${N('p.strike')}, ${N('p.long_qty')}, ${N('p.short_qty')}, ${N('p.exercised_qty')},
  ${N('p.assigned_qty')}, f.file_name, p.line_no::text`;

/** The same SQL whatever its line breaks and indentation. */
const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').trim();

describe('record SQL built from the model', () => {
  it('writes a record as breaks.json prints it, key for key as the reports did', () => {
    const keysOf = (object: string) => [...object.matchAll(/(?:\(|,\s+)'(\w+)',/g)].map((m) => m[1]);
    const jsonKeys = (sql: string) => [...sql.matchAll(/"(\w+)":/g)].map((m) => m[1]);
    expect(jsonKeys(recordJsonSql('trades', { record: 't', file: 'f' }))).toEqual(keysOf(TRADE_OBJECT));
    expect(jsonKeys(recordJsonSql('positions', { record: 'p', file: 'f' }))).toEqual(keysOf(POSITION_OBJECT));
    // Each value read as the rows read it (textSql), text escaped by to_json, the line a number.
    const trade = recordJsonSql('trades', { record: 't', file: 'f' });
    expect(trade).toContain(`coalesce('"' || ${N('t.quantity')} || '"', 'null')`);
    expect(trade).toContain(`coalesce('"' || ${TS('t.exec_at')} || '"', 'null')`);
    expect(trade).toContain(`coalesce(to_json(t.account)::text, 'null')`);
    expect(trade).toContain(`',"line":' || coalesce(t.line_no::text, 'null') || '}'`);
  });

  it('reads a record as text values in the column order of the HTML report', () => {
    expect(reportRecordKeys('trades')).toEqual(RECORD_COLUMNS.trades);
    expect(reportRecordKeys('positions')).toEqual(RECORD_COLUMNS.positions);
    expect(`'0', ${recordTextsSql('trades', { record: 't', file: 'f' })}`).toBe(oneLine(TRADE_VALUES));
    expect(`'1', ${recordTextsSql('positions', { record: 'p', file: 'f' })}`).toBe(oneLine(POSITION_VALUES));
  });
});
