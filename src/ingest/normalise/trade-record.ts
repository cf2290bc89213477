import { PENDING_TRADE_TYPE, TRADE_STATUSES, type TradeType } from '../../model/vocabulary.js';
import { fail } from '../../shared/result.js';
import type { EntityNormaliser } from './context.js';
import { accountOf, decimal, instrumentOf, positive, rawSeries, text, timestamp } from './record-values.js';
import { copyInstant, rowMaker } from './stored-row.js';
import { storedExpiry } from './series.js';

const rows = rowMaker('trades');

/**
 * Trades: instrument, account (through the account map for BOS), clearing date (derived for BOS); the
 * other fields as read.
 */
export const tradeNormaliser: EntityNormaliser = {
  table: rows.table,
  columns: rows.columns,
  toRow(values, extra, line, ctx) {
    const inst = instrumentOf(values);
    if (!inst.ok) return inst;

    // Execution: one timestamp with offset (DCASS), or Hong Kong wall-clock date and time (Genium, BOS).
    let execDate = text(values.execDate);
    const execTime = text(values.execTime);
    // The instant in its stored form (see Derived).
    let execAt: string | null = null;
    const ts = timestamp(values.execAt);
    if (ts) {
      execAt = copyInstant(ts.instant);
      execDate = ts.hkDate;
    } else if (execDate !== null && execTime !== null) {
      const at = ctx.executions.storedInstant(execDate, execTime);
      if (!at.ok) return at;
      execAt = at.value;
    }

    let clearingDate = text(values.clearingDate);
    let session = text(values.session) as 'T' | 'A' | null;
    if (clearingDate === null) {
      const time = ts ? ts.hkTime : execTime;
      if (execDate === null || time === null) {
        return fail({
          code: 'MISSING_VALUE',
          field: 'execDate',
          message: 'no clearing date and no execution date and time to derive it',
        });
      }
      const derived = ctx.executions.clearing(execDate, time);
      if (!derived.ok) return fail({ ...derived.issue, field: derived.issue.field ?? 'execTime' });
      clearingDate = derived.value.clearingDate;
      session ??= derived.value.session;
    }
    if (session === null)
      return fail({ code: 'MISSING_VALUE', field: 'session', message: 'session is required but empty' });

    const owner = accountOf(values, clearingDate, ctx.accounts);
    if (!owner.ok) return owner;
    const { account, clientCode } = owner.value;

    const quantity = positive('quantity', decimal(values.quantity));
    if (!quantity.ok) return quantity;
    const price = decimal(values.price);
    if (price === null)
      return fail({ code: 'MISSING_VALUE', field: 'price', message: 'price is required but empty' });
    const typeRead = text(values.tradeType);
    if (typeRead === null)
      return fail({ code: 'MISSING_VALUE', field: 'tradeType', message: 'tradeType is required but empty' });
    // A give-up or take-up the report marks pending has not moved the position yet: it takes the
    // pending trade type, which no reconciliation folds and the pending explain rule recognises.
    const status = text(values.tradeStatus);
    if (status !== null && !(TRADE_STATUSES as readonly string[]).includes(status))
      return fail({
        code: 'BAD_CODE',
        field: 'tradeStatus',
        message: `tradeStatus "${status}" is not one of ${TRADE_STATUSES.join(', ')} (map the layout's words to them)`,
      });
    const tradeType =
      status === 'pending' ? (PENDING_TRADE_TYPE[typeRead as TradeType] ?? typeRead) : typeRead;
    const side = text(values.side);
    if (side === null)
      return fail({ code: 'MISSING_VALUE', field: 'side', message: 'side is required but empty' });

    const { instrument, series } = inst.value;
    return rows.row(
      {
        clearingDate,
        session,
        series: rawSeries(values) ?? series,
        root: instrument.root,
        instrumentType: instrument.type,
        // A calendar spread keeps both legs' months (storedExpiry): its legs clear, not it.
        expiry: storedExpiry(instrument),
        strike: instrument.strike,
        account,
        clientCode,
        side,
        quantity: quantity.value,
        price,
        tradeType,
        execDate,
        execAt,
      },
      values,
      extra,
      line,
      ctx,
    );
  },
};
