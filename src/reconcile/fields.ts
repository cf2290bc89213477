import { ENTITY_MODELS, recordDateColumn, ruleFields, type FieldType } from '../model/entities.js';
import { RECONCILED_ENTITIES, type ReconciledEntity } from '../model/vocabulary.js';

/**
 * The whitelist of canonical fields a rule may name, per entity, with the SQL that reads each one
 * from a record aliased `r`: the model's fields rules may use, read as stored, and the fields a rule
 * derives from them. Rule files only ever pick names from here: no identifier or SQL text of a rule
 * file reaches the database.
 */

/** One field a rule may name: its type and the SQL expression reading it from the record `r`. */
export interface FieldDef {
  readonly type: FieldType;
  readonly sql: string;
  /**
   * The run's lookup table the expression reads besides the record: the statements reading such a
   * field join it to the record (compile.ts, lookupJoin).
   */
  readonly lookup?: 'accountType' | 'house';
}

const text = (sql: string): FieldDef => ({ type: 'text', sql });
const decimal = (sql: string): FieldDef => ({ type: 'decimal', sql });

// One text value for the normalised instrument, so a key of one field holds it and a fingerprint is
// stable: root, type, expiry and strike without trailing zeros (340.00 and 340 are the same strike).
const INSTRUMENT = text("concat_ws(' ', r.root, r.instrument_type, r.expiry, trim_scale(r.strike)::text)");

// NET or GROSS from the account map in force on the record's date (the latest mapping of the DCASS
// account effective by then, from current map files); blank when the account is not mapped. Read
// from the run's table of each account's types and the dates they hold (rx_account_type, alias
// `rat`), joined to the record: a lookup per record in the map itself cost about 8 microseconds
// (0.8 s per statement reading 100,000 positions), the join a twentieth of that.
const ACCOUNT_TYPE: FieldDef = { type: 'text', sql: 'rat.account_type', lookup: 'accountType' };

// HKCC or SEOCH from the product table in force for the run (rx_product, house-scope.ts), by the
// series root: derived when read, so a change to the table applies to every record from the next
// run. Joined to the record (alias `rp`) as accountType is, not looked up per record.
const HOUSE: FieldDef = { type: 'text', sql: 'rp.house', lookup: 'house' };

/** The rule field holding a record's clearing house (HKCC or SEOCH). */
export const HOUSE_FIELD = 'house';

/** The fields a rule derives, per entity; a derived field of a stored field's name replaces how it is read. */
const DERIVED: Record<ReconciledEntity, Record<string, FieldDef>> = {
  trades: {
    instrument: INSTRUMENT,
    [HOUSE_FIELD]: HOUSE,
    accountType: ACCOUNT_TYPE,
    // Signed quantity: buys positive, sells negative (nets a give-up against its trade).
    signedQuantity: decimal("CASE WHEN r.side = 'S' THEN -r.quantity ELSE r.quantity END"),
  },
  positions: {
    instrument: INSTRUMENT,
    [HOUSE_FIELD]: HOUSE,
    accountType: ACCOUNT_TYPE,
    net: decimal('(r.long_qty - r.short_qty)'),
    // Absent exercised/assigned figures count as zero: a layout without them reports none.
    exercised: decimal('coalesce(r.exercised_qty, 0)'),
    assigned: decimal('coalesce(r.assigned_qty, 0)'),
  },
};

/** Table, date column and the fields a rule may name, per entity. */
export const ENTITY_DEFS = Object.fromEntries(
  RECONCILED_ENTITIES.map((entity) => {
    const model = ENTITY_MODELS[entity];
    const dateColumn = recordDateColumn(entity);
    const stored = ruleFields(entity).map((f): [string, FieldDef] => [
      f.name,
      { type: f.type, sql: `r.${f.column}` },
    ]);
    const fields = { ...Object.fromEntries(stored), ...DERIVED[entity] };
    return [entity, { table: model.table, dateColumn, fields }];
  }),
) as Readonly<
  Record<
    ReconciledEntity,
    {
      readonly table: string;
      readonly dateColumn: string;
      readonly fields: Readonly<Record<string, FieldDef>>;
    }
  >
>;

/** The field names an entity offers, for validation messages. */
export function fieldNames(entity: ReconciledEntity): string[] {
  return Object.keys(ENTITY_DEFS[entity].fields);
}

/** The definition of a field, or undefined when the entity has no such field. */
export function fieldDef(entity: ReconciledEntity, name: string): FieldDef | undefined {
  const fields = ENTITY_DEFS[entity].fields;
  return Object.hasOwn(fields, name) ? fields[name] : undefined;
}
