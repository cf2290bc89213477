import { fail, ok } from '../../shared/result.js';
import type { EntityNormaliser } from './context.js';
import { text } from './record-values.js';

/** Account map rows: client code to DCASS account, NET or GROSS, effective from a date. */
export const accountMapNormaliser: EntityNormaliser = {
  table: 'account_map',
  columns: ['file_id', 'line_no', 'client_code', 'dcass_account', 'account_type', 'effective_from'],
  toRow(values, _extra, line, ctx) {
    const row = [
      text(values.clientCode),
      text(values.dcassAccount),
      text(values.accountType),
      text(values.effectiveFrom),
    ];
    const names = ['clientCode', 'dcassAccount', 'accountType', 'effectiveFrom'];
    const missing = row.findIndex((v) => v === null);
    if (missing >= 0)
      return fail({
        code: 'MISSING_VALUE',
        field: names[missing]!,
        message: `${names[missing]!} is required but empty`,
      });
    return ok([ctx.fileId, String(line), ...row]);
  },
};
