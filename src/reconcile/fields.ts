/**
 * The whitelist of canonical fields a rule may name, per entity, with the SQL that reads each one
 * from a record aliased `r`. Rule files only ever pick names from here: no identifier or SQL text
 * of a rule file reaches the database.
 */

/** How a field compares and prints: decimals as NUMERIC, dates as DATE, instants as TIMESTAMPTZ. */
export type FieldType = 'text' | 'decimal' | 'date' | 'timestamp';

/** One canonical field: its type and the SQL expression reading it from the record `r`. */
export interface FieldDef {
  readonly type: FieldType;
  readonly sql: string;
}

export const ENTITIES = ['trades', 'positions'] as const;
export type Entity = (typeof ENTITIES)[number];

const text = (sql: string): FieldDef => ({ type: 'text', sql });
const decimal = (sql: string): FieldDef => ({ type: 'decimal', sql });

// One text value for the normalised instrument, so a key of one field holds it and a fingerprint is
// stable: root, type, expiry and strike without trailing zeros (340.00 and 340 are the same strike).
const INSTRUMENT = text("concat_ws(' ', r.root, r.instrument_type, r.expiry, trim_scale(r.strike)::text)");

// NET or GROSS from the account map in force on the record's date (the latest mapping of the DCASS
// account effective by then, from current map files); blank when the account is not mapped.
const accountType = (dateColumn: string): FieldDef =>
  text(`(SELECT am.account_type FROM account_map am JOIN source_file amf ON amf.id = am.file_id
    WHERE amf.superseded_by IS NULL AND am.dcass_account = r.account AND am.effective_from <= r.${dateColumn}
    ORDER BY am.effective_from DESC, am.id DESC LIMIT 1)`);

const COMMON = {
  participant: text('r.participant'),
  account: text('r.account'),
  clientCode: text('r.client_code'),
  series: text('r.series'),
  instrument: INSTRUMENT,
  root: text('r.root'),
  instrumentType: text('r.instrument_type'),
  expiry: text('r.expiry'),
  strike: decimal('r.strike'),
} as const satisfies Record<string, FieldDef>;

/** Table, date column and fields of each entity. */
export const ENTITY_DEFS = {
  trades: {
    table: 'trade',
    dateColumn: 'clearing_date',
    fields: {
      ...COMMON,
      clearingDate: { type: 'date', sql: 'r.clearing_date' },
      accountType: accountType('clearing_date'),
      session: text('r.session'),
      tradeNo: text('r.trade_no'),
      dealNo: text('r.deal_no'),
      ref: text('r.ref'),
      side: text('r.side'),
      quantity: decimal('r.quantity'),
      // Signed quantity: buys positive, sells negative (nets a give-up against its trade).
      signedQuantity: decimal("CASE WHEN r.side = 'S' THEN -r.quantity ELSE r.quantity END"),
      price: decimal('r.price'),
      tradeType: text('r.trade_type'),
      origTradeNo: text('r.orig_trade_no'),
      execDate: { type: 'date', sql: 'r.exec_date' },
      execAt: { type: 'timestamp', sql: 'r.exec_at' },
      openClose: text('r.open_close'),
    },
  },
  positions: {
    table: 'position',
    dateColumn: 'position_date',
    fields: {
      ...COMMON,
      positionDate: { type: 'date', sql: 'r.position_date' },
      accountType: accountType('position_date'),
      long: decimal('r.long_qty'),
      short: decimal('r.short_qty'),
      net: decimal('(r.long_qty - r.short_qty)'),
      // Absent exercised/assigned figures count as zero: a layout without them reports none.
      exercised: decimal('coalesce(r.exercised_qty, 0)'),
      assigned: decimal('coalesce(r.assigned_qty, 0)'),
    },
  },
} as const satisfies Record<Entity, { table: string; dateColumn: string; fields: Record<string, FieldDef> }>;

/** The field names an entity offers, for validation messages. */
export function fieldNames(entity: Entity): string[] {
  return Object.keys(ENTITY_DEFS[entity].fields);
}

/** The definition of a field, or undefined when the entity has no such field. */
export function fieldDef(entity: Entity, name: string): FieldDef | undefined {
  const fields: Record<string, FieldDef> = ENTITY_DEFS[entity].fields;
  return Object.hasOwn(fields, name) ? fields[name] : undefined;
}

/** SQL type of a working column holding a field. */
export const SQL_TYPE: Record<FieldType, string> = {
  text: 'text',
  decimal: 'numeric',
  date: 'date',
  timestamp: 'timestamptz',
};

/**
 * SQL printing a value of the type as the JSON report wants it: decimals without trailing zeros,
 * dates as YYYY-MM-DD, instants as ISO 8601 UTC. `expr` is a working-column reference.
 */
export function textSql(type: FieldType, expr: string): string {
  switch (type) {
    case 'text':
      return expr;
    case 'decimal':
      return `trim_scale(${expr})::text`;
    case 'date':
      return `to_char(${expr}, 'YYYY-MM-DD')`;
    case 'timestamp':
      return `to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  }
}
