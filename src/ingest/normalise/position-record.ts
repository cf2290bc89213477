import { Decimal } from '../../shared/decimal.js';
import { fail, ok } from '../../shared/result.js';
import type { EntityNormaliser } from './context.js';
import {
  accountOf,
  dec,
  decimal,
  extraJson,
  instrumentOf,
  nonNegative,
  rawSeries,
  text,
} from './record-values.js';

const ZERO = new Decimal(0);

/** Positions: long and short per account and instrument; a signed net quantity splits into long or short. */
export const positionNormaliser: EntityNormaliser = {
  table: 'position',
  columns: [
    'file_id',
    'line_no',
    'source',
    'participant',
    'position_date',
    'account',
    'client_code',
    'series',
    'root',
    'instrument_type',
    'expiry',
    'strike',
    'long_qty',
    'short_qty',
    'exercised_qty',
    'assigned_qty',
    'extra',
  ],
  toRow(values, extra, line, ctx) {
    const inst = instrumentOf(values);
    if (!inst.ok) return inst;
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
      long = net.isPositive() ? net : ZERO;
      short = net.isNegative() ? net.negated() : ZERO;
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
    return ok([
      ctx.fileId,
      String(line),
      ctx.source,
      ctx.participant,
      positionDate,
      account,
      clientCode,
      rawSeries(values) ?? series,
      instrument.root,
      instrument.type,
      instrument.expiry,
      instrument.strike,
      dec(long),
      dec(short),
      dec(decimal(values.exercised)),
      dec(decimal(values.assigned)),
      extraJson(extra),
    ]);
  },
};
