import { fail } from '../../shared/result.js';
import type { EntityNormaliser } from './context.js';
import {
  accountOf,
  decimal,
  instrumentOf,
  isNegative,
  nonNegative,
  rawSeries,
  text,
} from './record-values.js';
import { rowMaker } from './stored-row.js';

const rows = rowMaker('positions');

/**
 * Positions: long and short per account and instrument (a signed net quantity splits into long or
 * short); the other fields as read.
 */
export const positionNormaliser: EntityNormaliser = {
  table: rows.table,
  columns: rows.columns,
  toRow(values, extra, line, ctx) {
    const inst = instrumentOf(values);
    if (!inst.ok) return inst;
    if (inst.value.instrument.far !== undefined) {
      return fail({
        code: 'COMBINATION_POSITION',
        field: 'series',
        message: `${rawSeries(values) ?? inst.value.series} is a calendar spread, a combination series: combinations hold no positions, only their legs do`,
      });
    }
    const positionDate = text(values.positionDate);
    if (positionDate === null)
      return fail({
        code: 'MISSING_VALUE',
        field: 'positionDate',
        message: 'positionDate is required but empty',
      });

    let long = decimal(values.long);
    let short = decimal(values.short);
    const net = decimal(values.netQuantity);
    if (net !== null) {
      long = isNegative(net) ? '0' : net;
      short = isNegative(net) ? net.slice(1) : '0';
    }
    for (const [name, v] of [
      ['long', long],
      ['short', short],
      ['exercised', decimal(values.exercised)],
      ['assigned', decimal(values.assigned)],
    ] as const) {
      const checked = nonNegative(name, v);
      if (!checked.ok) return checked;
    }
    if (long === null || short === null)
      return fail({ code: 'MISSING_VALUE', field: 'long', message: 'long and short are required' });

    const owner = accountOf(values, positionDate, ctx.accounts);
    if (!owner.ok) return owner;
    const { account, clientCode } = owner.value;
    const { instrument, series } = inst.value;
    return rows.row(
      {
        positionDate,
        account,
        clientCode,
        series: rawSeries(values) ?? series,
        root: instrument.root,
        instrumentType: instrument.type,
        expiry: instrument.expiry,
        strike: instrument.strike,
        long,
        short,
      },
      values,
      extra,
      line,
      ctx,
    );
  },
};
