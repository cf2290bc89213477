import type { EntityNormaliser } from './context.js';
import { rowMaker } from './stored-row.js';

const rows = rowMaker('account_map');

/** Account map rows: client code to DCASS account, NET or GROSS, effective from a date; every field required. */
export const accountMapNormaliser: EntityNormaliser = {
  table: rows.table,
  columns: rows.columns,
  toRow(values, _extra, line, ctx) {
    return rows.row({}, values, null, line, ctx);
  },
};
